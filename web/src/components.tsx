// Pieces every page uses: messages, the page title, a link that keeps the router in charge.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** An error the customer should read now (announced by screen readers). */
export function ErrorMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p class="message error" role="alert">
      {message}
    </p>
  );
}

/** A quiet notice, read out politely. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="message notice" role="status">
      {children}
    </p>
  );
}

/** The page's heading: sets the document title and takes focus after navigation, so screen readers announce the new page. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Petstore`;
    heading.current?.focus();
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={heading}>
      {children}
    </h1>
  );
}
