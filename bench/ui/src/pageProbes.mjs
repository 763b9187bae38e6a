/**
 * Functions that run inside the page (passed to page.waitForFunction), so the
 * moment a condition first holds is read from the page's own clock:
 * performance.now() counts from the navigation's start.
 */

/**
 * The page is interactive once its table shows a model row and its search box
 * can be typed into. Resolves to performance.now() at that moment.
 */
export function interactiveProbe({ searchLabel, rowPattern }) {
  // Any of the field's names: aria-label, its <label>, or its placeholder.
  const namesOf = el =>
    [
      el.getAttribute('aria-label'),
      ...(el.getAttribute('aria-labelledby') || '')
        .split(' ')
        .map(id => document.getElementById(id)?.textContent),
      el.labels?.[0]?.textContent,
      el.getAttribute('placeholder'),
    ].map(n => (n ?? '').trim().toLowerCase());
  const search = [...document.querySelectorAll('input')].find(el =>
    namesOf(el).includes(searchLabel.toLowerCase()),
  );
  if (!search || search.disabled || search.readOnly) return false;
  const pattern = new RegExp(rowPattern);
  const row = [...document.querySelectorAll('tbody tr a, [role=row] a')].some(
    a => pattern.test(a.textContent.trim()),
  );
  return row ? performance.now() : false;
}

/**
 * The filter is applied once the URL carries it and every model row left
 * holds the search text. Resolves to performance.now() at that moment.
 */
export function filteredProbe({ urlIncludes, rowPattern, allowedSubstring }) {
  if (!decodeURIComponent(location.href).includes(urlIncludes)) return false;
  const pattern = new RegExp(rowPattern);
  const names = [...document.querySelectorAll('tbody tr a, [role=row] a')]
    .map(a => a.textContent.trim())
    .filter(n => pattern.test(n));
  if (names.length === 0) return false;
  return names.every(n => n.includes(allowedSubstring))
    ? performance.now()
    : false;
}
