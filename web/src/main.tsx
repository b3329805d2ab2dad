// The storefront's entry: renders the app into the page's root element (no inline script: strict CSP).
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
