/**
 * Mixes many audio tracks into one with Web Audio: every remote voice the
 * participant hears and their own microphone. Tracks come and go while it
 * runs (update() is given the current set each frame); with no tracks at
 * all the mix is silence, so a recording always has its audio track.
 */
export class AudioMixer {
  /** The mix, for the recorder. */
  readonly track: MediaStreamTrack;
  private readonly context: AudioContext;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly sources = new Map<string, MediaStreamAudioSourceNode>();

  constructor() {
    this.context = new AudioContext();
    this.destination = this.context.createMediaStreamDestination();
    const track = this.destination.stream.getAudioTracks()[0];
    if (!track) throw new Error('This browser cannot mix audio for a recording.');
    this.track = track;
  }

  /** Starts the audio graph (browsers keep it suspended until a click asks for it). */
  async resume(): Promise<void> {
    if (this.context.state === 'suspended') await this.context.resume();
  }

  /** Mixes exactly these tracks from now on. */
  update(tracks: readonly MediaStreamTrack[]): void {
    const wanted = new Set(tracks.map((t) => t.id));
    for (const [id, source] of this.sources) {
      if (wanted.has(id)) continue;
      source.disconnect();
      this.sources.delete(id);
    }
    for (const track of tracks) {
      if (this.sources.has(track.id) || track.readyState !== 'live') continue;
      const source = this.context.createMediaStreamSource(new MediaStream([track]));
      source.connect(this.destination);
      this.sources.set(track.id, source);
    }
  }

  get size(): number {
    return this.sources.size;
  }

  dispose(): void {
    for (const source of this.sources.values()) source.disconnect();
    this.sources.clear();
    this.track.stop();
    void this.context.close().catch(() => undefined);
  }
}
