/**
 * A structural walk over the DNS wire format that trusts nothing: every read is
 * bounds-checked first, compression pointers may only point backwards, names
 * and labels are held to their RFC 1035 limits and the walk must end exactly at
 * the end of the message. `decodeMessage` runs it before handing bytes to
 * dns-packet, whose decoders skip several of these checks.
 *
 * Framing errors are thrown at once. Name errors are remembered and thrown after
 * the whole message has been delimited, so the caller learns whether the header
 * is trustworthy enough to answer FORMERR with the client's ID.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-4.1
 */
import { MalformedMessageError } from './malformed-message-error';

/** RFC 1035 §4.1.1: the header is always 12 octets. */
export const HEADER_LENGTH = 12;
/** RFC 1035 §2.3.4: labels are 63 octets or less. */
export const MAX_LABEL_LENGTH = 63;
/** RFC 1035 §2.3.4: names are 255 octets or less, length octets and root included. */
export const MAX_NAME_LENGTH = 255;
/**
 * A name of at most 255 octets has at most 127 labels, so a legitimate name
 * never needs more pointer hops than that. The cap keeps a crafted pointer chain
 * from making every name in a message cost a walk over the whole chain.
 */
const MAX_POINTER_HOPS = 127;
/** Fixed part of a resource record after its owner name: type, class, TTL, RDLENGTH (RFC 1035 §4.1.3). */
const RR_FIXED_LENGTH = 10;
/** Fixed part of a question after its name: QTYPE and QCLASS (RFC 1035 §4.1.2). */
const QUESTION_FIXED_LENGTH = 4;

export type Section = 'answer' | 'authority' | 'additional';

/** Where one question sits in the message. */
export interface QuestionLayout {
  readonly start: number;
  readonly end: number;
  readonly type: number;
  readonly qclass: number;
}

/** Where one resource record sits in the message; `end` is one past its RDATA. */
export interface RecordLayout {
  readonly section: Section;
  readonly start: number;
  readonly type: number;
  readonly rdataStart: number;
  readonly end: number;
}

/** The delimited structure of a message. */
export interface MessageLayout {
  readonly id: number;
  readonly flags: number;
  readonly questions: readonly QuestionLayout[];
  readonly records: readonly RecordLayout[];
}

interface NameRules {
  /** SOA RNAME and RP MBOX are mailboxes whose first label may contain '.' (RFC 1035 §8). */
  readonly mailbox?: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;

/** Walks a whole message. Throws MalformedMessageError (`framing` or `name`). */
export function walkMessage(bytes: Uint8Array): MessageLayout {
  const walker = new Walker(bytes);
  return walker.walk();
}

class Walker {
  private nameError: string | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  walk(): MessageLayout {
    const { bytes } = this;
    this.need(0, HEADER_LENGTH, 'header shorter than 12 bytes');
    const id = this.u16(0);
    const flags = this.u16(2);
    const counts = [this.u16(4), this.u16(6), this.u16(8), this.u16(10)] as const;
    let offset = HEADER_LENGTH;

    const questions: QuestionLayout[] = [];
    for (let i = 0; i < counts[0]; i++) {
      const start = offset;
      offset = this.name(offset, bytes.length);
      this.need(offset, QUESTION_FIXED_LENGTH, 'question runs past the end');
      questions.push({
        start,
        end: offset + 4,
        type: this.u16(offset),
        qclass: this.u16(offset + 2),
      });
      offset += QUESTION_FIXED_LENGTH;
    }

    const records: RecordLayout[] = [];
    const sections: Array<[Section, number]> = [
      ['answer', counts[1]],
      ['authority', counts[2]],
      ['additional', counts[3]],
    ];
    for (const [section, count] of sections) {
      for (let i = 0; i < count; i++) {
        const record = this.record(section, offset);
        records.push(record);
        offset = record.end;
      }
    }

    // RFC 1035 §4.1 defines a message as exactly these sections; anything after
    // them is garbage that a lenient decoder would silently ignore.
    if (offset !== bytes.length) {
      throw new MalformedMessageError(`${bytes.length - offset} trailing bytes after the message`);
    }
    if (this.nameError !== undefined) {
      throw new MalformedMessageError(this.nameError, 'name');
    }
    return { id, flags, questions, records };
  }

  private record(section: Section, start: number): RecordLayout {
    let offset = this.name(start, this.bytes.length);
    this.need(offset, RR_FIXED_LENGTH, 'resource record runs past the end');
    const type = this.u16(offset);
    const rdlength = this.u16(offset + 8);
    const rdataStart = offset + RR_FIXED_LENGTH;
    this.need(rdataStart, rdlength, 'RDATA runs past the end');
    offset = rdataStart + rdlength;
    this.rdata(type, rdataStart, offset);
    return { section, start, type, rdataStart, end: offset };
  }

  /**
   * Checks the names inside the RDATA of the types dns-packet decodes names
   * for, and that they end where RDLENGTH says. dns-packet reports NS and SRV
   * as RDLENGTH long whatever it read, so this is the only check they get.
   */
  private rdata(type: number, start: number, end: number): void {
    switch (type) {
      case 2: // NS
      case 5: // CNAME
      case 12: // PTR
      case 39: // DNAME
        this.exact(this.name(start, end), end);
        return;
      case 6: {
        // SOA: MNAME, RNAME, then five 32-bit fields (RFC 1035 §3.3.13).
        const rname = this.name(start, end);
        this.exact(this.name(rname, end, { mailbox: true }) + 20, end);
        return;
      }
      case 15: // MX: 16-bit preference, exchange (RFC 1035 §3.3.9).
        this.need(start, 2, 'MX RDATA too short', end);
        this.exact(this.name(start + 2, end), end);
        return;
      case 17: // RP: mailbox, TXT owner (RFC 1183 §2.2).
        this.exact(this.name(this.name(start, end, { mailbox: true }), end), end);
        return;
      case 33: // SRV: priority, weight, port, target (RFC 2782).
        this.need(start, 6, 'SRV RDATA too short', end);
        this.exact(this.name(start + 6, end), end);
        return;
      case 35: {
        // NAPTR: order, preference, three character-strings, replacement (RFC 3403 §4.1).
        this.need(start, 4, 'NAPTR RDATA too short', end);
        let offset = start + 4;
        for (let i = 0; i < 3; i++) offset = this.characterString(offset, end);
        this.exact(this.name(offset, end), end);
        return;
      }
      case 46: // RRSIG: 18 fixed octets, signer's name, signature (RFC 4034 §3.1).
        this.need(start, 18, 'RRSIG RDATA too short', end);
        this.name(start + 18, end);
        return;
      case 47: // NSEC: next owner name, type bitmap (RFC 4034 §4.1).
        this.name(start, end);
        return;
      case 257: {
        // CAA: flags, tag length, tag, value (RFC 8659 §4.1); dns-packet trusts the tag length.
        this.need(start, 2, 'CAA RDATA too short', end);
        const tagLength = this.byte(start + 1);
        this.need(start + 2, tagLength, 'CAA tag runs past RDATA', end);
        return;
      }
      default:
        return;
    }
  }

  private characterString(offset: number, end: number): number {
    this.need(offset, 1, 'character-string runs past RDATA', end);
    const length = this.byte(offset);
    this.need(offset + 1, length, 'character-string runs past RDATA', end);
    return offset + 1 + length;
  }

  /**
   * Walks one (possibly compressed) name starting at `start` and returns the
   * offset just past it in the stream. Labels read in place must end before
   * `limit` (the end of the RDATA for names inside RDATA).
   *
   * Compression pointers must point strictly before the start of the label
   * sequence they interrupt (RFC 1035 §4.1.4: "a prior occurrence"), which makes
   * loops impossible: every hop moves backwards.
   */
  private name(start: number, limit: number, rules: NameRules = {}): number {
    const { bytes } = this;
    let offset = start;
    let sequenceStart = start;
    let end = -1;
    let wireLength = 1; // the root label
    let hops = 0;
    let firstLabel = true;
    for (;;) {
      const bound = end < 0 ? limit : bytes.length;
      this.need(offset, 1, 'name runs past the end', bound);
      const length = this.byte(offset);
      if (length === 0) {
        return end < 0 ? offset + 1 : end;
      }
      const labelType = length & 0xc0;
      if (labelType === 0xc0) {
        this.need(offset, 2, 'compression pointer runs past the end', bound);
        const target = ((length & 0x3f) << 8) | this.byte(offset + 1);
        if (target >= sequenceStart) {
          throw new MalformedMessageError('compression pointer does not point backwards');
        }
        if (target < HEADER_LENGTH) {
          throw new MalformedMessageError('compression pointer into the header');
        }
        if (++hops > MAX_POINTER_HOPS) {
          throw new MalformedMessageError('too many compression pointers in one name');
        }
        if (end < 0) end = offset + 2;
        offset = target;
        sequenceStart = target;
        continue;
      }
      if (labelType !== 0) {
        // 0x40 (extended label, RFC 6891 §5) and 0x80 are reserved; a 64-octet
        // label has exactly this shape, so it cannot even be delimited.
        throw new MalformedMessageError(`unsupported label type 0x${labelType.toString(16)}`);
      }
      this.need(offset + 1, length, 'label runs past the end', bound);
      wireLength += length + 1;
      if (wireLength > MAX_NAME_LENGTH) {
        this.nameError ??= `name longer than ${MAX_NAME_LENGTH} octets`;
        // Once the end of the name in the stream is known there is nothing left to
        // learn from the rest of an over-long name.
        if (end >= 0) return end;
      }
      this.label(offset + 1, length, rules.mailbox === true && firstLabel);
      firstLabel = false;
      offset += length + 1;
    }
  }

  /**
   * dns-packet joins labels with '.' after decoding them as UTF-8, so a label
   * holding a '.' or bytes that UTF-8 decoding would replace makes two different
   * wire names decode to the same string; such names are refused so that
   * decoded names are safe as cache keys. Line terminators are refused too:
   * dns-packet's encoder strips dots next to them (a multiline regular
   * expression), so such a name would not survive being sent upstream.
   */
  private label(start: number, length: number, dotAllowed: boolean): void {
    if (this.nameError !== undefined) return;
    let ascii = true;
    for (let i = start; i < start + length; i++) {
      const byte = this.byte(i);
      if (byte === DOT && !dotAllowed) {
        this.nameError = "label contains '.'";
        return;
      }
      if (byte === LF || byte === CR) {
        this.nameError = 'label contains a line terminator';
        return;
      }
      if (byte >= 0x80) ascii = false;
    }
    if (ascii) return;
    let text: string;
    try {
      text = strictUtf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      this.nameError = 'label is not valid UTF-8';
      return;
    }
    if (/[\u2028\u2029]/.test(text)) {
      this.nameError = 'label contains a line terminator';
    }
  }

  private exact(offset: number, end: number): void {
    if (offset !== end) {
      throw new MalformedMessageError('RDATA length does not match its contents');
    }
  }

  /** Throws unless `count` bytes starting at `offset` lie before `limit`. */
  private need(offset: number, count: number, what: string, limit = this.bytes.length): void {
    if (offset + count > limit) {
      throw new MalformedMessageError(what);
    }
  }

  private byte(offset: number): number {
    return this.bytes[offset] ?? 0;
  }

  private u16(offset: number): number {
    return (this.byte(offset) << 8) | this.byte(offset + 1);
  }
}
