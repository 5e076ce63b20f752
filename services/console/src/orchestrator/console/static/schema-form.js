// Forms generated from the control-api's JSON Schemas by json-editor (vendor/json-editor).
// Without script the page still works: the operator edits the JSON document by hand.
"use strict";

(function () {
  const forms = document.querySelectorAll("form[data-schema-form]");
  if (!forms.length || typeof window.JSONEditor !== "function") return;

  for (const form of forms) {
    const schema = JSON.parse(form.querySelector("script[data-schema]").textContent);
    const textarea = form.querySelector("textarea[name=document]");
    const holder = form.querySelector("[data-editor]");
    const summary = form.querySelector("[data-form-errors]");
    let start = {};
    try {
      start = JSON.parse(textarea.value || "{}");
    } catch (_) {
      start = {};
    }
    const options = {
      schema: schema,
      theme: "html",
      iconlib: null,
      // Theme rules come from console.css: injecting a <style> element would need
      // 'unsafe-inline' in the Content-Security-Policy.
      disable_theme_rules: true,
      disable_edit_json: true,
      disable_collapse: true,
      disable_array_delete_all_rows: true,
      disable_array_delete_last_row: true,
      prompt_before_delete: false,
      show_errors: "interaction",
      use_default_values: true,
      remove_empty_properties: true,
      show_opt_in: false,
    };
    // An empty start value would drop every optional member from the form; without one
    // the schema's defaults show instead (even `startval: undefined` counts as one).
    if (Object.keys(start).length) options.startval = start;
    const editor = new window.JSONEditor(holder, options);
    form.querySelector("[data-document-label]").hidden = true;

    form.addEventListener("submit", (event) => {
      const errors = editor.validate();
      if (errors.length) {
        event.preventDefault();
        editor.options.show_errors = "always";
        editor.onChange();
        summary.hidden = false;
        summary.textContent = errors
          .map((e) => (e.path || "root").replace(/^root\.?/, "") + ": " + e.message)
          .join("\n");
        return;
      }
      summary.hidden = true;
      textarea.value = JSON.stringify(editor.getValue());
    });
  }
})();
