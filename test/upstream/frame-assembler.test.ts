import { describe, expect, it } from 'vitest';
import { FrameAssembler, frameMessage } from '../../src/upstream/frame-assembler';

const message = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
const framed = frameMessage(message);

describe('FrameAssembler reassembles a length-prefixed message however it is split', () => {
  it('prefixes a message with its big-endian length', () => {
    expect([...framed.subarray(0, 2)]).toEqual([1, 44]);
    expect(framed.subarray(2)).toEqual(message);
  });

  it('returns the message from a single chunk', () => {
    expect(new FrameAssembler().push(framed)).toEqual(message);
  });

  it('returns the message only after the last of one-byte chunks', () => {
    const assembler = new FrameAssembler();
    for (let i = 0; i < framed.length - 1; i++) {
      expect(assembler.push(framed.subarray(i, i + 1))).toBeUndefined();
    }
    expect(assembler.push(framed.subarray(framed.length - 1))).toEqual(message);
  });

  it.each([1, 2, 3, 150, 301])('handles a split after byte %i', (split) => {
    const assembler = new FrameAssembler();
    expect(assembler.push(framed.subarray(0, split))).toBeUndefined();
    expect(assembler.received).toBe(split);
    expect(assembler.push(framed.subarray(split))).toEqual(message);
  });

  it('knows the expected size once the prefix has arrived', () => {
    const assembler = new FrameAssembler();
    assembler.push(framed.subarray(0, 1));
    expect(assembler.expected).toBeUndefined();
    assembler.push(framed.subarray(1, 2));
    expect(assembler.expected).toBe(302);
  });

  it('ignores bytes after the message', () => {
    const trailing = new Uint8Array([...framed, 9, 9, 9]);
    expect(new FrameAssembler().push(trailing)).toEqual(message);
  });
});
