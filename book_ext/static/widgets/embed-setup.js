// Loaded after require.js and before embed-amd.js (nb_ipywidgets_js in _config.yml). Two fixes for the offline book:
// 1. The widget embedder's modules load their icon fonts from the folder of their AMD module, which require.js
//    resolves against the page (nbs/@jupyter-widgets/...: 404). Map those modules to this folder, where
//    `make vendor` puts embed-amd.js and the fonts.
// 2. The widgets typeset their descriptions with MathJax 2's `MathJax.Hub.Queue`; the book ships MathJax 3, so every
//    widget with a description failed to render ("Cannot read properties of undefined (reading 'Queue')").
//    Give MathJax 3 that one call, once it has loaded (the embedder renders on `load`, after this listener).
(function () {
  var src = document.currentScript.src;
  var here = src.slice(0, src.lastIndexOf("/"));
  window.require.config({ paths: { "@jupyter-widgets": here, "@jupyter-widgets/html-manager/dist": here } });
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) return;
    mj.Hub = { Queue: function (cmd) { mj.startup.promise.then(function () { return mj.typesetPromise([cmd[2]]); }); } };
  });
})();
