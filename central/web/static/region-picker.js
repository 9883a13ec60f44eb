// The region picker (templates/_region_picker.html): choose a region by tapping down the levels
// (province, city, county, town, village, group) or by searching its name or pinyin initials;
// the chosen code goes into the hidden input, so nobody types a code. No build step, no CDN.
// Answers come from central/web/region_picker.py; the root's data-api names which set.
(() => {
  "use strict";
  const SEARCH_DELAY_MS = 200;
  const english = () => (document.documentElement.lang || "").toLowerCase().startsWith("en");
  const nameOf = (hit) => (english() && hit.name_en ? hit.name_en : hit.name_zh);
  const pathOf = (hit) => (english() ? hit.path_en : hit.path_zh);
  const levelOf = (hit) => (english() ? hit.level_name_en : hit.level_name_zh);

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  async function getJson(url) {
    const answer = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    if (!answer.ok) throw new Error(String(answer.status));
    return answer.json();
  }

  class RegionPicker {
    constructor(root) {
      this.root = root;
      this.api = root.dataset.api;
      this.words = root.dataset;
      this.input = root.querySelector("input[type=hidden]");
      this.chosen = root.querySelector(".rp-chosen");
      this.chosenPath = root.querySelector(".rp-chosen-path");
      this.panel = root.querySelector(".rp-panel");
      this.search = root.querySelector(".rp-search");
      this.crumbs = root.querySelector(".rp-crumbs");
      this.here = root.querySelector(".rp-here");
      this.list = root.querySelector(".rp-list");
      this.status = root.querySelector(".rp-status");
      this.trail = [];  // the regions drilled into, top first
      this.asked = 0;  // answers to older questions are dropped
      this.timer = null;
      root.querySelector(".rp-open").addEventListener("click", () => this.toggle());
      root.querySelector(".rp-close").addEventListener("click", () => this.close());
      this.here.addEventListener("click", () => this.choose(this.trail[this.trail.length - 1]));
      this.search.addEventListener("input", () => this.searchSoon());
      const form = root.closest("form");
      if (form) form.addEventListener("submit", (event) => this.checkRequired(event));
      if (this.input.value) this.showValue(this.input.value);
    }

    async showValue(code) {
      try {
        const path = await getJson(`${this.api}/path?code=${encodeURIComponent(code)}`);
        if (path.length) this.showChosen(path[path.length - 1]);
      } catch (error) {
        this.chosen.textContent = code;  // unknown to the tree: the bare code, as before
      }
    }

    showChosen(hit) {
      this.chosen.textContent = nameOf(hit);
      this.chosenPath.textContent = [pathOf(hit), hit.code].filter(Boolean).join(" · ");
      this.root.classList.add("rp-has-value");
    }

    toggle() { if (this.panel.hidden) this.open(); else this.close(); }

    async open() {
      this.panel.hidden = false;
      this.root.querySelector(".rp-open").setAttribute("aria-expanded", "true");
      this.search.value = "";
      this.trail = [];
      if (this.input.value) {
        try {
          const path = await getJson(`${this.api}/path?code=${encodeURIComponent(this.input.value)}`);
          const last = path[path.length - 1];
          this.trail = last && last.has_children ? path : path.slice(0, -1);
        } catch (error) { this.trail = []; }
        // On a slow line the person may have typed a search or closed the panel meanwhile:
        // the list they asked for stays.
        if (this.panel.hidden || this.search.value.trim()) return;
      }
      this.browse();
    }

    close() {
      this.panel.hidden = true;
      this.root.querySelector(".rp-open").setAttribute("aria-expanded", "false");
    }

    async ask(url) {
      const question = ++this.asked;
      this.say(this.words.loading);
      try {
        const hits = await getJson(url);
        if (question !== this.asked) return null;
        this.say(hits.length ? "" : this.words.empty);
        return hits;
      } catch (error) {
        if (question === this.asked) this.say(this.words.failed);
        return null;
      }
    }

    say(text) { this.status.textContent = text || ""; this.status.hidden = !text; }

    async browse() {
      this.drawCrumbs();
      const last = this.trail[this.trail.length - 1];
      this.here.hidden = !last;
      if (last) this.here.textContent = `${this.words.here} ${nameOf(last)}`;
      const url = `${this.api}/children` + (last ? `?parent=${last.code}` : "");
      const hits = await this.ask(url);
      if (hits) this.drawList(hits, true);
    }

    drawCrumbs() {
      this.crumbs.replaceChildren();
      const top = element("button", "rp-crumb", this.words.top);
      top.type = "button";
      top.addEventListener("click", () => { this.trail = []; this.browse(); });
      this.crumbs.append(top);
      this.trail.forEach((hit, index) => {
        const crumb = element("button", "rp-crumb", nameOf(hit));
        crumb.type = "button";
        crumb.dataset.code = hit.code;
        crumb.addEventListener("click", () => { this.trail = this.trail.slice(0, index + 1); this.browse(); });
        this.crumbs.append(crumb);
      });
      this.crumbs.hidden = false;
    }

    drawList(hits, browsing) {
      this.list.replaceChildren();
      this.list.dataset.showing = browsing ? "children" : "search";  // which answers are shown
      for (const hit of hits) {
        const item = element("li");
        const button = element("button", "rp-item");
        button.type = "button";
        button.dataset.code = hit.code;
        button.append(element("span", "rp-name", nameOf(hit)));
        const detail = browsing ? [levelOf(hit), hit.code] : [pathOf(hit), levelOf(hit), hit.code];
        button.append(element("span", "rp-detail", detail.filter(Boolean).join(" · ")));
        const deeper = browsing && hit.has_children;
        if (deeper) {
          button.classList.add("rp-deeper");
          button.setAttribute("aria-label", `${nameOf(hit)} ›`);
        }
        if (hit.code === this.input.value) button.setAttribute("aria-current", "true");
        button.addEventListener("click", () => {
          if (deeper) { this.trail = [...this.trail, hit]; this.browse(); } else { this.choose(hit); }
        });
        item.append(button);
        this.list.append(item);
      }
    }

    searchSoon() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.runSearch(), SEARCH_DELAY_MS);
    }

    async runSearch() {
      const query = this.search.value.trim();
      if (!query) { this.browse(); return; }
      this.crumbs.hidden = true;
      this.here.hidden = true;
      const hits = await this.ask(`${this.api}/search?q=${encodeURIComponent(query)}`);
      if (hits) this.drawList(hits, false);
    }

    choose(hit) {
      if (!hit) return;
      this.input.value = hit.code;
      this.showChosen(hit);
      this.root.classList.remove("rp-missing");
      this.close();
      this.input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    checkRequired(event) {
      if (this.root.dataset.required === undefined || this.input.value) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      this.root.classList.add("rp-missing");
      this.open();
      this.root.scrollIntoView({block: "center"});
    }
  }

  document.querySelectorAll("[data-region-picker]").forEach((root) => new RegionPicker(root));
})();
