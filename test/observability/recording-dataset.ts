/** An Analytics Engine binding that keeps what is written, so tests can read the points back. */
export class RecordingDataset implements AnalyticsEngineDataset {
  readonly points: AnalyticsEngineDataPoint[] = [];

  writeDataPoint(point: AnalyticsEngineDataPoint = {}): void {
    this.points.push(point);
  }

  /** The points of one kind (blob1: `query` or `attempt`). */
  of(kind: 'query' | 'attempt'): AnalyticsEngineDataPoint[] {
    return this.points.filter((p) => p.blobs?.[0] === kind);
  }
}
