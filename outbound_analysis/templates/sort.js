(function(){
  if (window.oaSortInstalled) return; window.oaSortInstalled = true;
  document.addEventListener('click', function(ev){
    var th = ev.target.closest && ev.target.closest('table.oa-sortable th'); if (!th) return;
    var table = th.closest('table'), body = table.tBodies[0], idx = th.cellIndex;
    var asc = th.getAttribute('data-dir') !== 'asc';
    Array.prototype.forEach.call(th.parentNode.children, function(h){h.removeAttribute('data-dir');});
    th.setAttribute('data-dir', asc ? 'asc' : 'desc');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b){
      var x = a.cells[idx], y = b.cells[idx];
      var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
      var r = (vx !== null && vy !== null) ? (parseFloat(vx) - parseFloat(vy))
              : x.textContent.localeCompare(y.textContent, 'es');
      return asc ? r : -r;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
})();
