import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { applyTheme } from './pages/shell/theme';
import './styles.css';

// Before the first render, so a chosen dark theme never flashes light.
applyTheme();

const root = document.getElementById('root');
if (root === null) throw new Error('@halyard/dashboard: index.html has no #root element; restore it from the repository');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
