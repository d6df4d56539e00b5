/** Three bars showing how well someone's media arrives (or how well ours leaves). */
import { qualityText, type NetworkQuality } from '../call/network-quality.js';

export function NetworkQualityIndicator({ quality, self = false }: { quality: NetworkQuality | null; self?: boolean }) {
  const text = quality ? qualityText[quality] : 'Measuring connection';
  const label = self ? `Your connection: ${text.toLowerCase()}` : text;
  return (
    <span
      className={`netq netq--${quality ?? 'unknown'}`}
      data-testid={self ? 'network-quality-self' : 'network-quality'}
      data-quality={quality ?? 'unknown'}
      role="img"
      aria-label={label}
      title={label}
    >
      <span className={`netq__bar${quality ? ' netq__bar--lit' : ''}`} />
      <span className={`netq__bar${quality && quality !== 'poor' ? ' netq__bar--lit' : ''}`} />
      <span className={`netq__bar${quality === 'good' ? ' netq__bar--lit' : ''}`} />
    </span>
  );
}
