// The end of the wasm's JS module (`cargo xtask web` appends it).
//
// index.html paints the task page's frame; it fits only a signed-in visit to
// the task list, any other visit shows the mark alone.
try {
  if (location.pathname !== '/' || !localStorage.getItem('todo-chatbot.session')) throw 0;
} catch {
  document.documentElement.classList.add('no-shell');
}
// The wasm index.html names is fetched once that frame is painted, so the
// frame's paint never waits for it (a hidden tab paints no frame: it starts
// at once).
// (A block: the module's top level is the bindgen glue's, which has a `wasm`.)
{
  const wasm = document.querySelector('script[data-wasm]').dataset.wasm;
  const start = () => __wbg_init({ module_or_path: wasm });
  if (document.hidden) start();
  else requestAnimationFrame(() => setTimeout(start));
}
