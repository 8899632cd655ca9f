// A preview image, or a placeholder showing the file's extension when there is none. Images
// load lazily: a grid of thousands asks only for those scrolled into view.
import type { CSSProperties } from 'react';
import { previewUrl } from './project-data.ts';

interface Props {
  projectId: string;
  checkpointId: string | null | undefined;
  extension: string;
  size: 'small' | 'large' | 'full';
  /** Describes the image when it says something the text around it does not. */
  alt?: string;
}

export function Preview({ projectId, checkpointId, extension, size, alt = '' }: Props) {
  if (!checkpointId)
    return <span className={`preview preview--${size} preview--none`} aria-hidden="true"><span className="preview__ext">{extension ? `.${extension}` : 'link'}</span></span>;
  return <img className={`preview preview--${size}`} src={previewUrl(projectId, checkpointId)} alt={alt} loading="lazy" decoding="async" />;
}

/** A status as a coloured dot and its name. */
export function StatusPill({ name, color }: { name: string; color: string }) {
  return <span className="status-pill"><span className="status-pill__dot" style={{ '--status-colour': color } as CSSProperties} aria-hidden="true" />{name}</span>;
}
