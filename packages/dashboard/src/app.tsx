import { lazy, Suspense } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Route, Routes } from 'react-router';
import { queryClient } from './api/query-client';

// Every page is its own chunk: the first load carries the shell and the flags list only.
const SignInPage = lazy(() => import('./pages/sign-in/index'));
const Shell = lazy(() => import('./pages/shell/index'));
// `/` picks the remembered (or first) environment; it lives in the shell's chunk, which is loaded anyway.
const HomeRedirect = lazy(() => import('./pages/shell/index').then((module) => ({ default: module.HomeRedirect })));
const FlagsPage = lazy(() => import('./pages/flags/index'));
const FlagPage = lazy(() => import('./pages/flag/index'));
const EvaluatePage = lazy(() => import('./pages/evaluate/index'));
const SegmentsPage = lazy(() => import('./pages/segments/index'));
const SegmentPage = lazy(() => import('./pages/segments/segment'));
const EnvironmentsPage = lazy(() => import('./pages/environments/index'));
const KeysPage = lazy(() => import('./pages/keys/index'));
const AuditPage = lazy(() => import('./pages/audit/index'));
const ReleasesPage = lazy(() => import('./pages/releases/index'));
const ExperimentsPage = lazy(() => import('./pages/experiments/index'));
const ExperimentPage = lazy(() => import('./pages/experiments/experiment'));

/**
 * The route table (the one place routes are declared). `/env/:env/...` pages are per environment; the shell
 * (navigation, environment switcher, theme, sign-out, session check) wraps every page but sign-in.
 */
export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route element={<Shell />}>
              <Route path="/" element={<HomeRedirect />} />
              <Route path="/env/:env/flags" element={<FlagsPage />} />
              <Route path="/env/:env/flags/:key" element={<FlagPage />} />
              <Route path="/env/:env/evaluate" element={<EvaluatePage />} />
              <Route path="/env/:env/segments" element={<SegmentsPage />} />
              <Route path="/env/:env/segments/:id" element={<SegmentPage />} />
              <Route path="/env/:env/releases" element={<ReleasesPage />} />
              <Route path="/env/:env/experiments" element={<ExperimentsPage />} />
              <Route path="/env/:env/experiments/:key" element={<ExperimentPage />} />
              <Route path="/environments" element={<EnvironmentsPage />} />
              <Route path="/keys" element={<KeysPage />} />
              <Route path="/audit" element={<AuditPage />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
