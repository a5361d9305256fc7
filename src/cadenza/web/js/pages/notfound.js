import { h } from "../dom.js";

export function render(main) {
  main.append(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/", "data-link": true }, "Go home")));
}
