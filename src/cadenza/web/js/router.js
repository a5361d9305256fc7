// Client-side pages: the history API, links marked data-link, focus moved to the new page.

const routes = [];
let current = null;

export function route(pattern, load) {
  const keys = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, key) => (keys.push(key), "([^/]+)"))}/?$`,
  );
  routes.push({ regex, keys, load });
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  return render();
}

export async function render() {
  const main = document.getElementById("main");
  const { pathname, search } = location;
  const query = new URLSearchParams(search);
  for (const { regex, keys, load } of routes) {
    const match = pathname.match(regex);
    if (!match) continue;
    const params = Object.fromEntries(keys.map((k, i) => [k, decodeURIComponent(match[i + 1])]));
    if (typeof current === "function") current();
    current = null;
    const token = Symbol("page");
    render.token = token;
    main.setAttribute("aria-busy", "true");
    // Each page draws into its own view, shown only if no newer page was asked for meanwhile
    // (typing in the search box starts a page per pause).
    const view = document.createElement("div");
    view.className = "view";
    try {
      const page = await load();
      const cleanup = await page.render(view, params, query);
      if (render.token !== token) {
        if (typeof cleanup === "function") cleanup();
        return;
      }
      current = cleanup;
      main.replaceChildren(view);
    } catch (error) {
      if (render.token !== token) return;
      main.replaceChildren();
      const box = document.createElement("div");
      box.className = "page-error";
      box.setAttribute("role", "alert");
      const title = document.createElement("h1");
      title.textContent = error.status === 404 ? "Not found" : "Something went wrong";
      const text = document.createElement("p");
      text.textContent = error.message;
      box.append(title, text);
      main.append(box);
      if (error.status === 401) navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
    } finally {
      main.removeAttribute("aria-busy");
    }
    if (render.token !== token) return;
    const heading = main.querySelector("h1");
    document.title = heading ? `${heading.textContent} · Cadenza` : "Cadenza";
    if (render.moveFocus !== false) main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    document.dispatchEvent(new CustomEvent("cadenza:page", { detail: { pathname } }));
    return;
  }
}

export function startRouter() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
  window.addEventListener("popstate", render);
  return render();
}
