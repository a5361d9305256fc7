import { h, clear, money, when, field, fields, errorBox, showError, toast } from "../dom.js";
import { api } from "../api.js";
import { store, loadMe, PLAN_NAMES } from "../store.js";
import { accountNav, panel, signedInOnly } from "./accountnav.js";

function features(f) {
  return h(
    "ul",
    {},
    h("li", {}, f.ads ? "Ads between songs" : "No ads"),
    h("li", {}, f.on_demand ? "Play any song" : "Shuffle play"),
    h("li", {}, f.skips_per_hour ? `${f.skips_per_hour} skips an hour` : "Unlimited skips"),
    h("li", {}, `Up to ${f.max_quality.replace("_", " ")} quality`),
    f.offline_devices ? h("li", {}, "Download to listen offline") : null,
    f.accounts > 1 ? h("li", {}, `${f.accounts} accounts`) : null,
  );
}

export async function render(main) {
  if (signedInOnly(main)) return;
  const error = errorBox();
  const body = h("div");
  main.append(h("h1", {}, "Plan and billing"), accountNav(), error, body);
  const act = (fn) => async (event) => {
    event?.preventDefault?.();
    showError(error, null);
    try {
      await fn(event);
      await loadMe();
      await draw();
    } catch (e) {
      showError(error, e);
    }
  };
  const draw = async () => {
    const [mine, offers, invoices] = await Promise.all([api.get("/api/v1/me/plan"), api.get(`/api/v1/plans?country=${store.me.country}`), api.get("/api/v1/me/invoices")]);
    const sub = mine.subscription;
    const current = h(
      "div",
      {},
      h("p", {}, "You are on ", h("strong", {}, PLAN_NAMES[mine.plan]), sub ? ` (${sub.status.replace("_", " ")}, ${sub.period}ly)` : "", "."),
      mine.warning ? h("p", { class: "form-error", role: "alert" }, mine.warning) : null,
      sub?.manager && sub.renews && !sub.cancel_at_period_end ? h("p", {}, `Renews on ${when(sub.period_end)} for ${money(sub.price_cents, sub.currency)}.`) : null,
      sub?.cancel_at_period_end ? h("p", {}, `Ends on ${when(sub.period_end)}. `, h("button", { type: "button", class: "button", onclick: act(() => api.post("/api/v1/me/subscription/resume")) }, "Keep my plan")) : null,
      sub?.next_plan ? h("p", {}, `Changes to ${PLAN_NAMES[sub.next_plan]} on ${when(sub.period_end)}.`) : null,
      sub?.manager && !sub.cancel_at_period_end && !sub.complimentary ? h("button", { type: "button", class: "button secondary", onclick: act(() => api.post("/api/v1/me/subscription/cancel")) }, "Cancel plan") : null,
    );
    const monthly = offers.filter((o) => o.period === "month");
    const cards = monthly.map((offer) => {
      const here = offer.plan === mine.plan;
      const action = here
        ? h("span", { class: "pill" }, "Your plan")
        : offer.plan === "free"
          ? null
          : h(
              "button",
              {
                type: "button",
                class: "button",
                onclick: act(async () => {
                  const answer = sub?.manager && sub.status !== "canceled" && sub.status !== "expired"
                    ? await api.patch("/api/v1/me/subscription", { plan: offer.plan })
                    : await api.post("/api/v1/me/subscription", { plan: offer.plan, period: "month" });
                  if (answer.confirm_url) location.assign(answer.confirm_url);
                  else toast(`${PLAN_NAMES[offer.plan]}: done`);
                }),
              },
              `${sub?.manager ? "Switch to" : "Get"} ${PLAN_NAMES[offer.plan]}`,
            );
      return h("div", { class: `offer${here ? " current" : ""}` }, h("strong", {}, PLAN_NAMES[offer.plan]), h("span", {}, `${money(offer.price_cents, offer.currency)} a month`), features(offer.features), action);
    });
    const cardForm = h(
      "form",
      { class: "auth-form", id: "payment-method", "aria-label": "Payment card" },
      field("Card number", { name: "number", inputmode: "numeric", autocomplete: "cc-number", required: true, maxlength: 23 }),
      h("div", { class: "row" }, field("Month", { name: "exp_month", type: "number", min: 1, max: 12, required: true }), field("Year", { name: "exp_year", type: "number", min: 2024, max: 2100, required: true }), field("CVC", { name: "cvc", inputmode: "numeric", required: true, maxlength: 4 })),
      h("button", { type: "submit", class: "button" }, "Save card"),
      h("p", { class: "hint" }, "Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is refused; 4000 0025 0000 3155 asks for confirmation."),
    );
    cardForm.addEventListener(
      "submit",
      act(async () => {
        const f = fields(cardForm);
        await api.put("/api/v1/me/payment-method", { number: f.number.replace(/\s/g, ""), exp_month: Number(f.exp_month), exp_year: Number(f.exp_year), cvc: f.cvc });
        toast("Card saved");
      }),
    );
    const card = mine.payment_method;
    clear(
      body,
      panel("Your plan", current),
      panel("Plans", h("div", { class: "offers" }, cards)),
      panel(
        "Payment method",
        card ? h("p", {}, `${card.brand} ending ${card.last4}, expires ${card.exp_month}/${card.exp_year} `, h("button", { type: "button", class: "button secondary", onclick: act(() => api.del("/api/v1/me/payment-method")) }, "Remove")) : h("p", {}, "No card yet."),
        cardForm,
      ),
      panel(
        "Invoices",
        invoices.length
          ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Number"), h("th", {}, "Date"), h("th", {}, "What"), h("th", {}, "Amount"), h("th", {}, "Status"), h("th", {}, h("span", { class: "visually-hidden" }, "Download")))),
              h("tbody", {}, invoices.map((i) => h("tr", {}, h("td", {}, i.number), h("td", {}, when(i.created_at)), h("td", {}, i.description), h("td", {}, money(i.amount_cents, i.currency)), h("td", {}, i.status), h("td", {}, h("button", { type: "button", class: "button secondary", onclick: () => download(i) }, "Download"))))))
          : h("p", { class: "hint" }, "No invoices yet."),
      ),
    );
  };
  await draw();
}

async function download(invoice) {
  const response = await api.get(`/api/v1/me/invoices/${invoice.id}/document`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: `${invoice.number}.html` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
