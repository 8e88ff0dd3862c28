/**
 * A 2-D Barnes-Hut quadtree over the embedding, stored in flat typed arrays. Each cell keeps its
 * point count and centre of mass; `repulsion` sums the t-SNE repulsive forces on one point,
 * treating a cell as a single body when its width / distance < theta.
 */
const MAX_DEPTH = 48;

export class QuadTree {
  private cx: Float64Array;
  private cy: Float64Array;
  private half: Float64Array;
  private massX: Float64Array;
  private massY: Float64Array;
  private count: Uint32Array;
  /** First child index (4 consecutive cells) or 0 for a leaf. */
  private child: Uint32Array;
  /** Point stored in a leaf holding exactly one point, else -1. */
  private point: Int32Array;
  private size = 0;

  constructor(
    private readonly y: Float64Array,
    n: number,
  ) {
    const cap = 8 * n + 16;
    this.cx = new Float64Array(cap);
    this.cy = new Float64Array(cap);
    this.half = new Float64Array(cap);
    this.massX = new Float64Array(cap);
    this.massY = new Float64Array(cap);
    this.count = new Uint32Array(cap);
    this.child = new Uint32Array(cap);
    this.point = new Int32Array(cap);
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]!);
      maxX = Math.max(maxX, y[2 * i]!);
      minY = Math.min(minY, y[2 * i + 1]!);
      maxY = Math.max(maxY, y[2 * i + 1]!);
    }
    const half = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
    this.newCell((minX + maxX) / 2, (minY + maxY) / 2, half);
    for (let i = 0; i < n; i++) this.insert(0, i, 0);
  }

  private newCell(cx: number, cy: number, half: number): number {
    if (this.size === this.cx.length) this.grow();
    const c = this.size++;
    this.cx[c] = cx;
    this.cy[c] = cy;
    this.half[c] = half;
    this.point[c] = -1;
    return c;
  }

  private grow(): void {
    const cap = this.cx.length * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.cx = f(this.cx);
    this.cy = f(this.cy);
    this.half = f(this.half);
    this.massX = f(this.massX);
    this.massY = f(this.massY);
    const count = new Uint32Array(cap);
    count.set(this.count);
    this.count = count;
    const child = new Uint32Array(cap);
    child.set(this.child);
    this.child = child;
    const point = new Int32Array(cap);
    point.set(this.point);
    this.point = point;
  }

  private quadrant(c: number, px: number, py: number): number {
    return (px > this.cx[c]! ? 1 : 0) + (py > this.cy[c]! ? 2 : 0);
  }

  private insert(c: number, i: number, depth: number): void {
    const px = this.y[2 * i]!;
    const py = this.y[2 * i + 1]!;
    for (;;) {
      const wasEmpty = this.count[c] === 0;
      this.count[c]! += 1;
      this.massX[c]! += px;
      this.massY[c]! += py;
      if (wasEmpty && this.child[c] === 0) {
        this.point[c] = i;
        return;
      }
      if (this.child[c] === 0) {
        if (depth >= MAX_DEPTH) {
          this.point[c] = -1; // coincident points: keep them together as one body
          return;
        }
        const h = this.half[c]! / 2;
        const first = this.newCell(this.cx[c]! - h, this.cy[c]! - h, h);
        this.newCell(this.cx[c]! + h, this.cy[c]! - h, h);
        this.newCell(this.cx[c]! - h, this.cy[c]! + h, h);
        this.newCell(this.cx[c]! + h, this.cy[c]! + h, h);
        this.child[c] = first;
        const old = this.point[c]!;
        this.point[c] = -1;
        const oq = first + this.quadrant(c, this.y[2 * old]!, this.y[2 * old + 1]!);
        this.count[oq] = 1;
        this.massX[oq] = this.y[2 * old]!;
        this.massY[oq] = this.y[2 * old + 1]!;
        this.point[oq] = old;
      }
      c = this.child[c]! + this.quadrant(c, px, py);
      depth++;
    }
  }

  /**
   * Adds the unnormalised repulsive force on point i (Σ q_ij² (y_i - y_j)) into `force` and
   * returns Σ_j q_ij with q_ij = 1 / (1 + |y_i - y_j|²), over j ≠ i.
   */
  repulsion(i: number, theta: number, force: Float64Array): number {
    const px = this.y[2 * i]!;
    const py = this.y[2 * i + 1]!;
    const stack = [0];
    let sumQ = 0;
    let fx = 0;
    let fy = 0;
    const theta2 = theta * theta;
    while (stack.length > 0) {
      const c = stack.pop()!;
      const cnt = this.count[c]!;
      if (cnt === 0 || this.point[c] === i) continue;
      const mx = this.massX[c]! / cnt;
      const my = this.massY[c]! / cnt;
      const dx = px - mx;
      const dy = py - my;
      const d2 = dx * dx + dy * dy;
      const width = 2 * this.half[c]!;
      if (this.child[c] === 0 || width * width < theta2 * d2) {
        // a multi-point leaf at max depth that contains i: its other points coincide with i (dx = dy = 0)
        const self = this.child[c] === 0 && this.point[c] === -1 && d2 === 0 ? 1 : 0;
        const q = 1 / (1 + d2);
        const m = cnt - self;
        sumQ += m * q;
        fx += m * q * q * dx;
        fy += m * q * q * dy;
      } else {
        const first = this.child[c]!;
        stack.push(first, first + 1, first + 2, first + 3);
      }
    }
    force[0] = fx;
    force[1] = fy;
    return sumQ;
  }
}
