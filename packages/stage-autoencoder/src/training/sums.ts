/** Running frame-weighted means of the per-batch losses. */
export class Sums {
  private frames = 0;
  private loss = 0;
  private mse = 0;
  private l1 = 0;

  add(lengths: ArrayLike<number>, loss: number, mse: number, l1: number): void {
    let frames = 0;
    for (let i = 0; i < lengths.length; i++) frames += lengths[i] as number;
    this.frames += frames;
    this.loss += loss * frames;
    this.mse += mse * frames;
    this.l1 += l1 * frames;
  }

  means(): { loss: number; mse: number; l1: number } {
    const n = this.frames || 1;
    return { loss: this.loss / n, mse: this.mse / n, l1: this.l1 / n };
  }
}
