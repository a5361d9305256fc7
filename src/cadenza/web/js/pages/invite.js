import { h } from "../dom.js";
import { api } from "../api.js";
import { changed } from "../library.js";
import { requireSignIn } from "./common.js";
import { navigate } from "../router.js";

// A shared playlist's link: accepting follows it (and lets you edit a collaborative one).
export async function render(main, { token }) {
  if (requireSignIn(main)) return;
  const playlist = await api.post(`/api/v1/playlist-invites/${encodeURIComponent(token)}`);
  await changed();
  navigate(`/playlist/${playlist.id}`, { replace: true });
  main.append(h("p", { role: "status" }, `You follow ${playlist.name} now.`));
}
