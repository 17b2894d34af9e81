/**
 * The panel's HTML page. The host passes `webview.cspSource` and `asWebviewUri` strings;
 * nothing here touches `vscode`, so it is unit-tested as a pure function.
 *
 * The CSP allows only the extension's own styles, fonts and images and one nonce script:
 * no inline style, no inline script, no eval, no network. The page body is empty; the
 * bundled script builds the DOM with createElement/textContent.
 */
export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce per page load (see `createNonce`). */
  nonce: string;
  /** `asWebviewUri(dist/media/panel.js)`. */
  scriptUri: string;
  /** `asWebviewUri(dist/media/panel.css)`. */
  styleUri: string;
  /** `asWebviewUri(dist/media/codicon.css)`. */
  codiconUri: string;
  /** Document title (the handler's title). */
  title?: string;
}

const NONCE_PATTERN = /^[A-Za-z0-9+/=_-]{16,}$/;

/** Escapes text for a text node or a double-quoted attribute (the only kind used here). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(options: PanelHtmlOptions): string {
  if (!NONCE_PATTERN.test(options.nonce)) {
    throw new Error('panelHtml: the nonce must be at least 16 base64/alphanumeric characters');
  }
  // A `;` or quote would end the directive and let the caller smuggle in another one.
  if (/[;"\r\n]/.test(options.cspSource)) {
    throw new Error('panelHtml: cspSource must be a plain source list');
  }
  const csp = panelCsp(options.cspSource, options.nonce);
  const title = escapeHtml(options.title ?? 'Warm State');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(options.codiconUri)}">
<link rel="stylesheet" href="${escapeHtml(options.styleUri)}">
<title>${title}</title>
</head>
<body>
<div id="root" class="ws-root"></div>
<script nonce="${escapeHtml(options.nonce)}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}

/** A 32-character nonce from a CSPRNG (Web Crypto exists in Node 20 and in browsers). */
export function createNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_');
}
