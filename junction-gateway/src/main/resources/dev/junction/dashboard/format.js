// Numbers with units and times in the viewer's own zone. Every text goes in as text, never as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export const count = (n) => n === null || n === undefined ? '–' : integer.format(n);
export const tokens = (n) => n === null || n === undefined ? '–' : `${integer.format(n)} tok`;
export const ms = (n) => n === null || n === undefined || n < 0 ? '–' : n >= 10000 ? `${decimal.format(n / 1000)} s` : `${integer.format(n)} ms`;
export const rate = (n) => n === null || n === undefined ? '–' : `${decimal.format(n)} tok/s`;
export const percent = (share) => share === null || share === undefined ? '–' : `${decimal.format(share * 100)} %`;
export const when = (epochMs) => time.format(new Date(epochMs));

export function usd(value) {
  const n = Number(value ?? 0);
  if (n === 0) return '$0';
  const digits = Math.abs(n) >= 1 ? 2 : Math.abs(n) >= 0.01 ? 4 : 6;
  return `$${n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

export function perMillion(value) {
  return value === null || value === undefined ? '–' : `${usd(value)} / M tok`;
}
