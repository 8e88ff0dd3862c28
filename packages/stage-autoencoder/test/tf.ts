import { loadTensorflow } from '@serx/tf-backend';

/** The backend tests run on: native TensorFlow when set up, one thread (tests must be deterministic). */
export const { tf, backend } = await loadTensorflow({ threads: 1 });
