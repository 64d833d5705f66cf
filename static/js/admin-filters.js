// Admin changelist: apply an autocomplete filter (provider, topic) as soon as a value is
// picked. Without JavaScript the filter's "Apply" button does the same.
"use strict";
window.addEventListener("load", function () {
  const $ = window.django && window.django.jQuery;
  if (!$) {
    return;
  }
  $(".autocomplete-filter select").on("change", function () {
    this.form.submit();
  });
});
