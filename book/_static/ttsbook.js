/* The book's scripts (added to every page by _config.yml, html_js_files).
 *
 * 1. Both sidebar toggles work on every screen.
 *
 * pydata-sphinx-theme 0.17 renders its own `.primary-toggle` and `.secondary-toggle` in the
 * top bar, and sphinx-book-theme renders a second pair in the article's header, which is the
 * pair a reader sees. The themes bind their click handlers (open the sidebar as a dialog on a
 * narrow screen, collapse the site menu on a wide one) to the first button of each class only
 * (`document.querySelector`; pydata-sphinx-theme issue #2451), so the visible buttons did
 * nothing. Here every other button of the class passes its click on to the bound one.
 */
(function () {
  function forward(selector) {
    const buttons = Array.from(document.querySelectorAll(selector));
    const bound = buttons[0];
    buttons.slice(1).forEach((button) => {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        button.blur();
        bound.click();
      });
    });
  }
  function setup() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

/* 2. Search results quote the page's text.
 *
 * Sphinx's search page quotes each result from the text of the page's main element, which in
 * this theme begins with the header's buttons (Binder, Colab, Repository, .md, .pdf) and the
 * page's table of contents, so the quotes read "…Binder" or "…Contents 8.1. …". Here the quote
 * is taken from the article alone, without buttons, navigation, code cells or their toggles,
 * with its whitespace collapsed.
 */
(function () {
  const SKIP = [".headerlink", "script", "style", "button", "nav", ".bd-header-article",
                ".header-article-items", ".prev-next-area", ".bd-footer-article", ".toggle-details",
                ".cell_input", "details > summary", "mjx-assistive-mml"].join(",");
  function articleText(htmlString, anchor) {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
    if (!article) return "";
    article.querySelectorAll(SKIP).forEach((el) => el.remove());
    let node = article;
    if (anchor) {
      try { node = article.querySelector(anchor) || article; } catch (e) { node = article; }
    }
    // Formulas are quoted as their TeX, without the \( \) and \[ \] around them.
    return (node.textContent || "").replace(/\\[()[\]]/g, "").replace(/\s+/g, " ").trim();
  }
  function install() {
    if (typeof Search !== "undefined" && Search.htmlToText) Search.htmlToText = articleText;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();

/* 3. Choosing an entry of "On this page" on a phone closes that drawer.
 *
 * On a narrow screen the page's contents open as a modal dialog over the text; a tap on one of
 * its links scrolls the page to the section but leaves the dialog open over it. Here a link in
 * an open sidebar dialog closes the dialog, and the browser then follows the link.
 */
(function () {
  function install() {
    document.querySelectorAll("dialog#pst-secondary-sidebar-modal, dialog#pst-primary-sidebar-modal")
      .forEach((dialog) => {
        dialog.addEventListener("click", (event) => {
          const link = event.target.closest("a[href]");
          if (link && dialog.open && link.getAttribute("href").startsWith("#")) dialog.close();
        });
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();

/* 4. Punctuation stays with its formula.
 *
 * A line may break between an inline formula and the punctuation after it, which then starts
 * the next line alone (". Grey", "; orange"). Once MathJax has typeset the page, each inline
 * formula and the punctuation that follows (or the opening bracket that precedes) it are kept
 * together in a span that does not break (not a formula wider than half its paragraph, which
 * may need a line to itself).
 */
(function () {
  const AFTER = /^[.,;:!?)\]]+/, BEFORE = /[(\[]$/;
  function glue() {
    document.querySelectorAll("mjx-container:not([display='true'])").forEach((typeset) => {
      const wrapper = typeset.parentElement;  // Sphinx's <span class="math">, when it holds the formula alone
      const math = wrapper && wrapper.matches("span.math") && wrapper.childNodes.length === 1 ? wrapper : typeset;
      const block = math.closest("p, li, figcaption, td, th, dd, div");
      if (block && math.getBoundingClientRect().width > 0.5 * block.clientWidth) return;  // may need the line to itself
      const next = math.nextSibling, prev = math.previousSibling;
      const after = next && next.nodeType === Node.TEXT_NODE && next.data.match(AFTER);
      const before = prev && prev.nodeType === Node.TEXT_NODE && prev.data.match(BEFORE);
      if (!after && !before) return;
      const span = document.createElement("span");
      span.className = "ttsbook-math-punct";
      math.parentNode.insertBefore(span, math);
      if (before) {
        prev.data = prev.data.slice(0, -before[0].length);
        span.append(before[0]);
      }
      span.append(math);
      if (after) {
        next.data = next.data.slice(after[0].length);
        span.append(after[0]);
      }
    });
  }
  function whenTypeset(tries) {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(glue);
    } else if (tries > 0) {
      setTimeout(() => whenTypeset(tries - 1), 100);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => whenTypeset(100));
  } else {
    whenTypeset(100);
  }
})();
