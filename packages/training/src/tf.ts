/** The tfjs namespace the kit computes with (the model stages pass their loaded backend's). */
export type { Tf } from '@serx/tf-backend';
