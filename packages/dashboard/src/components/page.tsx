import { useEffect, type ReactNode } from 'react';

export interface PageProps {
  /** The page heading (the one <h1>); a string also becomes the document title. */
  title: ReactNode;
  /** A short line under the heading. */
  description?: ReactNode;
  /** Buttons and links at the right of the heading (wrap under it on narrow screens). */
  actions?: ReactNode;
  /** Document title when `title` is not a plain string. */
  documentTitle?: string;
  className?: string;
  children?: ReactNode;
}

/**
 * The frame of every page inside the shell: the heading, the page's actions and its content.
 *
 * @example
 * <Page title="Segments" description="Reusable groups of users." actions={<Link to="new">New segment</Link>}>
 *   <SegmentTable />
 * </Page>
 */
export function Page({ title, description, actions, documentTitle, className, children }: PageProps) {
  const text = documentTitle ?? (typeof title === 'string' ? title : undefined);
  useEffect(() => {
    if (text !== undefined) document.title = `${text} · Halyard`;
  }, [text]);
  return (
    <div className={['page', className].filter(Boolean).join(' ')}>
      <div className="page-header">
        <div>
          <h1>{title}</h1>
          {description !== undefined && <p className="page-description">{description}</p>}
        </div>
        {actions !== undefined && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}
