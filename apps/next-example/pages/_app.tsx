import type { AppProps } from 'next/app';
import { PagesFlagProvider } from '@halyard/next/client';
import type { HalyardPageProps } from '@halyard/next';
import '../app/globals.css';

/** Pages Router: one flag store for the session, seeded by each page's getServerSideProps snapshot. */
export default function App({ Component, pageProps }: AppProps<HalyardPageProps>) {
  return (
    <PagesFlagProvider snapshot={pageProps.halyardSnapshot} events={pageProps.halyardEvents} endpoint="/api/flags" pollInterval={2000}>
      <Component {...pageProps} />
    </PagesFlagProvider>
  );
}
