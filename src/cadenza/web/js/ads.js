// Ad breaks on Free and Plus: each ad plays to its end with its companion image; no skipping.
import { api } from "./api.js";

async function audioOf(ad) {
  // The ad's audio needs the listener's token, so it comes through fetch as a blob.
  const response = await api.get(ad.audio_url, { raw: true });
  return URL.createObjectURL(await response.blob());
}

function playOne(player, ad, index, count) {
  return new Promise((resolve, reject) => {
    const audio = new Audio();
    audio.dataset.ad = "true";
    document.body.append(audio);
    let gain = null;
    if (player.context) {
      const node = player.context.createMediaElementSource(audio);
      gain = player.context.createGain();
      gain.gain.value = player.settings.normalise ? 10 ** (ad.normalisation_gain_db / 20) : 1;
      node.connect(gain).connect(player.master);
    }
    const done = (ok) => {
      audio.pause();
      URL.revokeObjectURL(audio.src);
      audio.remove();
      gain?.disconnect();
      ok ? resolve() : reject(new Error("The ad could not be played."));
    };
    player.ad = {
      ad,
      index,
      count,
      audio,
      get playing() {
        return !audio.paused;
      },
      toggle() {
        if (audio.paused) audio.play();
        else audio.pause();
        player.emit();
      },
    };
    audio.addEventListener("timeupdate", () => player.emit("time"));
    audio.addEventListener("playing", () => player.emit());
    audio.addEventListener("pause", () => player.emit());
    audio.addEventListener("ended", () => done(true));
    audio.addEventListener("error", () => done(false));
    audioOf(ad)
      .then((url) => {
        audio.src = url;
        player.emit();
        return audio.play();
      })
      .catch(() => null);
  });
}

// Plays the break the server holds for this listener; true when the music may go on. A break
// left unplayed too long is closed by the server (409 ad_break_over): the next one is asked for.
export async function playAdBreak(player, tries = 3) {
  const response = await api.get("/api/v1/me/ad-break", { raw: true });
  if (response.status === 204) return true;
  const adBreak = await response.json();
  const waiting = adBreak.ads.filter((a) => !a.completed);
  for (const [i, ad] of waiting.entries()) {
    try {
      await playOne(player, ad, i + 1, waiting.length);
    } catch (error) {
      player.ad = null;
      player.setNotice({ code: "ad_error", message: error.message });
      return false;
    }
    let completion;
    try {
      completion = await api.post(ad.complete_url);
    } catch (error) {
      if (error.code === "ad_break_over" && tries > 1) return playAdBreak(player, tries - 1);
      throw error;
    }
    if (completion.break_over) return true;
  }
  return true;
}
