/** The module Worker that encrypts and decrypts every encoded frame (see @conclave/e2ee/media-worker). */
import { startMediaWorker } from '@conclave/e2ee/media-worker';

startMediaWorker(self);
