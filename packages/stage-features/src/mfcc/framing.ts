import type { MfccOptions } from './options.ts';

/** Number of frames and the signal index where frame 0's window starts. */
export interface FrameLayout {
  frames: number;
  firstStart: number;
}

export function frameLayout(length: number, o: MfccOptions): FrameLayout {
  const { winLength: win, hopLength: hop, nfft } = o;
  if (o.framing === 'snip-edges') {
    return { frames: length < win ? 0 : 1 + Math.floor((length - win) / hop), firstStart: 0 };
  }
  if (o.framing === 'pad-end') {
    return { frames: length <= win ? 1 : 1 + Math.ceil((length - win) / hop), firstStart: 0 };
  }
  const half = Math.floor(nfft / 2);
  const frames = 1 + Math.floor((length + 2 * half - nfft) / hop);
  // librosa pads a shorter window to nfft, centred inside the frame.
  return { frames: Math.max(frames, 0), firstStart: -half + Math.floor((nfft - win) / 2) };
}
