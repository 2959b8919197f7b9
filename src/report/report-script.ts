/**
 * The report's only script (allowed by its hash): expand or fold every section, expand
 * everything while printing, open a step reached by a link, and show exact times in the
 * reader's own time zone too. It builds no markup from data: it sets `open` and titles.
 */
export const REPORT_SCRIPT = `(() => {
  const all = () => Array.from(document.querySelectorAll('details'));
  const tools = document.getElementById('tools');
  if (tools) {
    tools.hidden = false;
    tools.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button[data-open]') : null;
      if (button) for (const d of all()) d.open = button.getAttribute('data-open') === 'yes';
    });
  }
  let folded = [];
  addEventListener('beforeprint', () => {
    folded = all().filter((d) => !d.open);
    for (const d of folded) d.open = true;
  });
  addEventListener('afterprint', () => {
    for (const d of folded) d.open = false;
    folded = [];
  });
  const openTarget = () => {
    let id = '';
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      return;
    }
    const target = id ? document.getElementById(id) : null;
    if (target instanceof HTMLDetailsElement) target.open = true;
  };
  addEventListener('hashchange', openTarget);
  openTarget();
  for (const t of document.querySelectorAll('time[datetime]')) {
    const when = new Date(t.getAttribute('datetime') || '');
    if (!Number.isNaN(when.getTime())) t.title = t.getAttribute('datetime') + ' (UTC)\\n' + when.toLocaleString() + ' (your time)';
  }
  document.documentElement.setAttribute('data-ready', 'yes');
})();`;
