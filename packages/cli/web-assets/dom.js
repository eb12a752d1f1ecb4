// Small DOM and formatting helpers. Every string from the spool goes through textContent,
// never innerHTML: crash messages and attribute values are untrusted input.

/** Creates an element: h('td', { class: 'num' }, '42'). Null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
}

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function fmtCount(n) {
  return typeof n === 'number' && Number.isFinite(n) ? integer.format(n) : '–';
}

export function fmtPercent(ratio, digits = 1) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Milliseconds → "850 µs", "12.3 ms", "4.2 s". */
export function fmtMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${integer.format(ms * 1000)} µs`;
  if (ms < 1000) return `${decimal.format(ms)} ms`;
  return `${decimal.format(ms / 1000)} s`;
}

export function fmtBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${decimal.format(value)} ${units[unit]}`;
}

/** Epoch ms (or an ISO string) → local "2026-11-24 09:41:07". */
export function fmtTime(value) {
  if (value === undefined || value === null || value === '') return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const pad = (n) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export function cssVar(name) {
  return window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * The list half of a list/detail view (crash groups, traces): one button per item, the
 * selected one aria-pressed, `empty` in place of an empty list. `title(item)` gives the
 * children of the title line, `meta(item)` the text of the line under it.
 */
export function fillPickList(list, items, { empty, idOf, selectedId, onPick, title, meta }) {
  if (items.length === 0) {
    fill(list, h('li', { class: 'muted pick-meta' }, empty));
    return;
  }
  fill(
    list,
    items.map((item) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            'data-pick-id': idOf(item),
            'aria-pressed': String(idOf(item) === selectedId),
            onclick: () => onPick(item),
          },
          h('span', { class: 'pick-title' }, title(item)),
          h('span', { class: 'pick-meta' }, meta(item)),
        ),
      ),
    ),
  );
}

/** Marks the button of `id` as the selected one in a list filled by fillPickList. */
export function markPicked(list, id) {
  for (const button of list.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.pickId === id));
  }
}
