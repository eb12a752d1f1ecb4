// Three toy audio plugins. Each processes a block of samples with real (if simple) DSP so the
// timings the host records are real CPU work, not sleeps.

export interface Plugin {
  readonly name: string;
  process(block: Float32Array): void;
}

/** A one-pole low-pass filter, run per sample. */
export class FilterPlugin implements Plugin {
  readonly name = 'warm-filter';
  private state = 0;
  process(block: Float32Array): void {
    const a = 0.15;
    for (let i = 0; i < block.length; i++) {
      this.state += a * (block[i]! - this.state);
      block[i] = this.state;
    }
  }
}

/** A feedback comb "reverb": heavier, with a tail buffer. */
export class ReverbPlugin implements Plugin {
  readonly name = 'hall-reverb';
  private readonly buffer = new Float32Array(4410);
  private pos = 0;
  process(block: Float32Array, passes = 6): void {
    for (let p = 0; p < passes; p++) {
      for (let i = 0; i < block.length; i++) {
        const delayed = this.buffer[this.pos]!;
        this.buffer[this.pos] = block[i]! + delayed * 0.6;
        block[i] = block[i]! * 0.7 + delayed * 0.3;
        this.pos = (this.pos + 1) % this.buffer.length;
      }
    }
  }
}

/** A wavetable synth voice bank; its cost varies with the number of voices. */
export class SynthPlugin implements Plugin {
  readonly name = 'poly-synth';
  private phase = 0;
  voices = 4;
  process(block: Float32Array): void {
    for (let v = 0; v < this.voices; v++) {
      const freq = 110 * (v + 1);
      for (let i = 0; i < block.length; i++) {
        block[i]! += Math.sin(this.phase + (2 * Math.PI * freq * i) / 48000) * 0.05;
      }
    }
    this.phase += (2 * Math.PI * 110 * block.length) / 48000;
  }
}

export const PLUGIN_TYPES = { FilterPlugin, ReverbPlugin, SynthPlugin };
