// Admin change form: an article's images and related stories
// (templates/admin/articles/article/sortable_inline.html). A row moves when dragged by its
// handle, or with the arrow keys on the handle, and every row's `position` input is rewritten
// in the new order; a list longer than its `data-shown-first` rows shows those and a
// "Show all" button. Without JavaScript every row shows and the position fields set the order.
"use strict";
(function () {
  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
  }

  function positionInput(row) {
    return row.querySelector("input[name$='-position']");
  }

  function renumber(group) {
    rows(group).forEach(function (row, index) {
      const input = positionInput(row);
      if (input) {
        input.value = String(index);
      }
    });
  }

  // Dragging: the row follows the pointer over the rows shown, and the positions are written
  // when it is dropped.
  function drag(event) {
    const handle = event.target.closest(".nr-handle");
    if (!handle || event.button !== 0) {
      return;
    }
    event.preventDefault();
    const row = handle.closest(".inline-related");
    const group = row.closest(".nr-sortable");
    row.classList.add("nr-dragging");

    function move(moved) {
      const over = rows(group).find(function (other) {
        const box = other.getBoundingClientRect();
        return other !== row && box.height > 0 && moved.clientY >= box.top && moved.clientY <= box.bottom;
      });
      if (!over) {
        return;
      }
      const box = over.getBoundingClientRect();
      const middle = box.top + box.height / 2;
      const below = row.compareDocumentPosition(over) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (below && moved.clientY > middle) {
        over.after(row);
      } else if (!below && moved.clientY < middle) {
        over.before(row);
      }
    }

    function drop() {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", drop);
      document.removeEventListener("pointercancel", drop);
      row.classList.remove("nr-dragging");
      renumber(group);
    }

    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", drop);
    document.addEventListener("pointercancel", drop);
  }

  function moveWithKeys(event) {
    const handle = event.target.closest(".nr-handle");
    const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (!handle || !step) {
      return;
    }
    event.preventDefault();
    const row = handle.closest(".inline-related");
    const group = row.closest(".nr-sortable");
    const list = rows(group);
    const neighbour = list[list.indexOf(row) + step];
    if (!neighbour) {
      return;
    }
    if (step < 0) {
      neighbour.before(row);
    } else {
      neighbour.after(row);
    }
    handle.focus();
    renumber(group);
  }

  // A long list: the rows past the first ones wait behind "Show all" (never a row with errors).
  function fold(group) {
    const button = group.querySelector(".nr-show-all");
    const rest = rows(group).slice(Number(group.dataset.shownFirst));
    if (!button || !rest.length || rest.some((row) => row.classList.contains("errors"))) {
      return;
    }
    rest.forEach((row) => row.classList.add("nr-folded"));
    rest[0].before(button);
    button.hidden = false;
    button.addEventListener("click", function () {
      rest.forEach((row) => row.classList.remove("nr-folded"));
      button.remove();
    });
  }

  // A row added with "Add another" goes last.
  function placeLast(event) {
    const row = event.target;
    const group = row.closest(".nr-sortable");
    if (!group) {
      return;
    }
    const taken = rows(group)
      .filter((other) => other !== row)
      .map((other) => Number(positionInput(other).value) || 0);
    positionInput(row).value = String(Math.max(-1, ...taken) + 1);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".nr-sortable").forEach(function (group) {
      group.querySelectorAll(".nr-handle").forEach((handle) => (handle.hidden = false));
      group.addEventListener("pointerdown", drag);
      group.addEventListener("keydown", moveWithKeys);
      fold(group);
    });
    document.addEventListener("formset:added", placeLast);
  });
})();
