/* Draw every Plotly figure on the page from its json_script data (no inline scripts, no CDN).
 *
 * Each chart is <div class="js-chart" data-figure="<id of a json_script tag>"
 * data-filename="…">; plotly.js is served from the project's own static files
 * (vendor/plotly.min.js). Without JavaScript the page still reads: every chart has a table
 * or a download beside it. */
(function () {
  "use strict";

  function drawAll() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    var nodes = document.querySelectorAll(".js-chart");
    Array.prototype.forEach.call(nodes, function (div) {
      var source = document.getElementById(div.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      // Responsive plots size their container to 100% of this div on every resize (printing
      // included): give the div the figure's own height so it never collapses.
      div.style.height = (figure.layout.height || 450) + "px";
      var fallback = div.querySelector(".chart-fallback");
      if (fallback) {
        fallback.remove();
      }
      window.Plotly.newPlot(div, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
        toImageButtonOptions: {
          format: "png",
          filename: div.getAttribute("data-filename") || div.id,
          scale: 2,
        },
      });
    });
  }

  var openedForPrint = [];

  function openDetailsForPrint() {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
    relayoutForPrint();
  }

  function closeDetailsAfterPrint() {
    openedForPrint.forEach(function (d) {
      d.open = false;
    });
    openedForPrint = [];
    relayoutForPrint();
  }

  function relayoutForPrint() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".js-chart.js-plotly-plot"),
      function (div) {
        window.Plotly.Plots.resize(div);
      });
  }

  function bindPrint() {
    Array.prototype.forEach.call(document.querySelectorAll(".js-print"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function start() {
    drawAll();
    bindPrint();
    window.addEventListener("beforeprint", openDetailsForPrint);
    window.addEventListener("afterprint", closeDetailsAfterPrint);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
