/* Outpost web console: talks to the admin API of this listener only. */
(function () {
  'use strict';
  var BASE = '/api/admin/v3.0';
  var G = BASE + '/groups/outpost/apps';
  var view = document.getElementById('view');
  var banner = document.getElementById('banner');
  var crumbs = document.getElementById('crumbs');
  var logoutButton = document.getElementById('logout');
  var timer = null;
  var charts = null;
  var pending = null;

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  function h(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === null || attrs[k] === undefined) { continue; }
        if (k === 'text') { e.textContent = attrs[k]; }
        else if (k.indexOf('on') === 0) { e.addEventListener(k.substring(2), attrs[k]); }
        else { e.setAttribute(k, attrs[k]); }
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) { continue; }
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function enc(s) { return encodeURIComponent(s); }
  function fmtNum(v) {
    if (typeof v !== 'number') { return '\u2013'; }
    if (v >= 1e6) { return (v / 1e6).toFixed(1) + 'M'; }
    if (v >= 1e4) { return (v / 1e3).toFixed(1) + 'k'; }
    return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1);
  }
  function fmtBytes(v) {
    if (typeof v !== 'number') { return '\u2013'; }
    var u = ['B', 'KiB', 'MiB', 'GiB'], i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i === 0 ? Math.round(v) : v.toFixed(1)) + ' ' + u[i];
  }
  function fmtTime(v) {
    if (!v) { return 'never'; }
    var d = typeof v === 'number' ? new Date(v < 1e11 ? v * 1000 : v) : new Date(v);
    return isNaN(d.getTime()) ? String(v) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function showError(message) {
    banner.className = 'banner';
    banner.textContent = message;
    banner.hidden = false;
  }
  function showInfo(message) {
    banner.className = 'banner info';
    banner.textContent = message;
    banner.hidden = false;
  }
  function clearBanner() { banner.hidden = true; banner.textContent = ''; }
  function setView() {
    while (view.firstChild) { view.removeChild(view.firstChild); }
    for (var i = 0; i < arguments.length; i++) { if (arguments[i]) { view.appendChild(arguments[i]); } }
    view.setAttribute('data-ready', 'true');
  }
  function emptyState(text) { return h('div', { 'class': 'empty-state' }, text); }
  function table(columns, rows, emptyText) {
    if (!rows.length) { return h('div', { 'class': 'panel' }, emptyState(emptyText)); }
    var head = h('tr', null);
    columns.forEach(function (c) { head.appendChild(h('th', { scope: 'col', 'class': c.cls || null }, c.title)); });
    var body = h('tbody', null);
    rows.forEach(function (r) {
      var tr = h('tr', null);
      columns.forEach(function (c) {
        var v = c.cell(r);
        tr.appendChild(h('td', { 'class': c.cls || null }, v === null || v === undefined ? '\u2013' : v));
      });
      body.appendChild(tr);
    });
    return h('div', { 'class': 'panel' }, h('table', null, h('thead', null, head), body));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the API

  function token() { return sessionStorage.getItem('outpost.access'); }
  function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }

  function api(method, path, body, retried) {
    var init = { method: method, headers: { 'Authorization': 'Bearer ' + token() } };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      if (r.status === 401 && !retried && sessionStorage.getItem('outpost.refresh')) {
        return fetch(BASE + '/auth/session', { method: 'POST', headers: { 'Authorization': 'Bearer ' +
            sessionStorage.getItem('outpost.refresh') } }).then(function (rr) {
          if (!rr.ok) { return toLogin('Your session expired: sign in again.'); }
          return rr.json().then(function (j) {
            sessionStorage.setItem('outpost.access', j.access_token);
            return api(method, path, body, true);
          });
        });
      }
      if (r.status === 401) { return toLogin('Your session expired: sign in again.'); }
      if (r.status === 204) { return null; }
      return r.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (!r.ok) {
          throw new ApiError(r.status, json && json.error_code, (json && json.error) || ('HTTP ' + r.status));
        }
        return json;
      });
    });
  }
  function failed(e) {
    if (e && e.loggedOut) { return; }
    showError(e && e.message ? e.message : String(e));
  }
  function toLogin(message) {
    sessionStorage.removeItem('outpost.access');
    sessionStorage.removeItem('outpost.refresh');
    pending = message;
    location.hash = '#/login';
    var e = new Error(message);
    e.loggedOut = true;
    throw e;
  }

  function confirmAction(title, text, withPassword) {
    var dialog = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    var field = document.getElementById('confirm-field');
    var input = document.getElementById('confirm-input');
    field.hidden = !withPassword;
    input.value = '';
    return new Promise(function (resolve) {
      dialog.addEventListener('close', function onClose() {
        dialog.removeEventListener('close', onClose);
        resolve(dialog.returnValue === 'ok' ? (withPassword ? input.value : true) : null);
      });
      dialog.returnValue = '';
      dialog.showModal();
    });
  }

  function act(title, text, run, after, withPassword) {
    return confirmAction(title, text, withPassword).then(function (ok) {
      if (ok === null || ok === '') { return; }
      return run(ok).then(function () { showInfo(title + ': done.'); after(); });
    }).catch(failed);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // views

  function login() {
    logoutButton.hidden = true;
    crumbs.textContent = '';
    if (pending) { showError(pending); pending = null; }
    var input = h('input', { type: 'password', id: 'key', name: 'apiKey', autocomplete: 'current-password', required: 'required' });
    var form = h('form', { 'class': 'login', id: 'login-form', onsubmit: function (ev) {
      ev.preventDefault();
      fetch(BASE + '/auth/providers/mongodb-cloud/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', apiKey: input.value }) }).then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) { throw new ApiError(r.status, j.error_code, j.error || ('HTTP ' + r.status)); }
          sessionStorage.setItem('outpost.access', j.access_token);
          sessionStorage.setItem('outpost.refresh', j.refresh_token);
          clearBanner();
          location.hash = '#/apps';
        });
      }).catch(failed);
    } },
      h('h1', null, 'Sign in'),
      h('p', { 'class': 'muted' }, 'Type the admin key (the file admin.key in the data directory, or admin.key of the configuration).'),
      h('label', { 'for': 'key' }, 'Admin key', input),
      h('button', { type: 'submit', id: 'login-submit' }, 'Sign in'));
    setView(form);
    input.focus();
  }

  function apps() {
    crumbs.textContent = 'Apps';
    api('GET', G).then(function (list) {
      if (!list.length) { setView(h('h1', null, 'Apps'), emptyState('This server serves no apps.')); return; }
      var cards = h('div', { 'class': 'cards' });
      list.forEach(function (a) {
        cards.appendChild(h('a', { 'class': 'card', href: '#/app/' + enc(a._id) + '/dashboard', 'data-app': a._id },
          h('h3', null, a.name),
          h('dl', null, h('dt', null, 'Users'), h('dd', null, fmtNum(a.users)),
            h('dt', null, 'Server files'), h('dd', null, a.sync ? fmtNum(a.sync.server_files) : '\u2013'),
            h('dt', null, 'Sync errors'), h('dd', null, a.sync ? fmtNum(a.sync.errors) : '\u2013'),
            h('dt', null, 'Providers'), h('dd', null, (a.auth_providers || []).join(', ') || 'none'))));
      });
      setView(h('h1', null, 'Apps'), cards);
    }).catch(failed);
  }

  var TABS = [['dashboard', 'Dashboard'], ['users', 'Users'], ['devices', 'Devices'], ['files', 'Server files'],
    ['errors', 'Sync errors'], ['data', 'Data'], ['config', 'Configuration']];

  function tabs(appId, current) {
    var nav = h('nav', { 'class': 'tabs', 'aria-label': 'App sections' });
    TABS.forEach(function (t) {
      nav.appendChild(h('a', { href: '#/app/' + enc(appId) + '/' + t[0], 'aria-current': t[0] === current ? 'page' : null }, t[1]));
    });
    crumbs.textContent = '';
    crumbs.appendChild(h('a', { href: '#/apps' }, 'Apps'));
    crumbs.appendChild(document.createTextNode(' / ' + appId));
    return nav;
  }

  function dashboard(appId) {
    var tiles = h('div', { 'class': 'tiles', id: 'tiles' });
    var box = h('div', { 'class': 'charts' });
    var note = h('p', { 'class': 'muted', id: 'scope-note' });
    setView(tabs(appId, 'dashboard'), h('h1', null, appId), tiles, box, note);
    charts = {
      sessions: TimeChart(box, { title: 'Sessions', format: fmtNum, series: [
        { name: 'sessions', key: 'sessions', color: '#1f6feb' }, { name: 'connections', key: 'connections', color: '#8b5cf6' }] }),
      changesets: TimeChart(box, { title: 'Changesets / s', format: fmtNum, series: [
        { name: 'in', key: 'changesets_in', color: '#0f9d58' }, { name: 'out', key: 'changesets_out', color: '#f59e0b' }] }),
      bytes: TimeChart(box, { title: 'Bytes / s', format: fmtBytes, series: [
        { name: 'in', key: 'bytes_in', color: '#0f9d58' }, { name: 'out', key: 'bytes_out', color: '#f59e0b' }] }),
      errors: TimeChart(box, { title: 'Sync errors', format: fmtNum, series: [
        { name: 'errors', key: 'errors', color: '#c4302b' }] })
    };
    var lagChart = null;
    function tile(label, value, id) {
      return h('div', { 'class': 'tile' }, h('div', { 'class': 'label' }, label), h('div', { 'class': 'value', id: id }, value));
    }
    function refresh() {
      Promise.all([api('GET', G + '/' + enc(appId) + '/console/metrics'), api('GET', G + '/' + enc(appId))]).then(function (r) {
        var m = r[0], app = r[1], s = m.samples, last = s.length ? s[s.length - 1] : {};
        var errs = 0;
        s.forEach(function (p) { errs += p.errors; });
        while (tiles.firstChild) { tiles.removeChild(tiles.firstChild); }
        tiles.appendChild(tile('Sessions', fmtNum(last.sessions), 'tile-sessions'));
        tiles.appendChild(tile('Changesets in/s', fmtNum(last.changesets_in), 'tile-changesets-in'));
        tiles.appendChild(tile('Changesets out/s', fmtNum(last.changesets_out), 'tile-changesets-out'));
        tiles.appendChild(tile('Bytes in/s', fmtBytes(last.bytes_in), 'tile-bytes-in'));
        tiles.appendChild(tile('Bytes out/s', fmtBytes(last.bytes_out), 'tile-bytes-out'));
        tiles.appendChild(tile('Errors (1 h)', fmtNum(errs), 'tile-errors'));
        tiles.appendChild(tile('Users', fmtNum(app.users), 'tile-users'));
        tiles.appendChild(tile('Server files', app.sync ? fmtNum(app.sync.server_files) : '\u2013', 'tile-files'));
        if (m.mirror) {
          tiles.appendChild(tile('Mirror lag', fmtNum(last.mirror_lag_seconds) + ' s', 'tile-mirror'));
          if (!lagChart) {
            lagChart = TimeChart(box, { title: 'Mirror lag (s)', format: fmtNum, series: [
              { name: 'lag', key: 'mirror_lag_seconds', color: '#0891b2' }] });
          }
          lagChart.update(s);
        }
        charts.sessions.update(s); charts.changesets.update(s); charts.bytes.update(s); charts.errors.update(s);
        note.textContent = 'Samples every ' + (m.interval_ms / 1000) + ' s, last hour (' + s.length + ' samples). ' +
          'Every figure is this app\u2019s.';
        view.setAttribute('data-samples', String(s.length));
      }).catch(failed);
    }
    refresh();
    timer = setInterval(refresh, 5000);
  }

  function users(appId, params) {
    var search = params.search || '';
    var after = params.after || '';
    var input = h('input', { type: 'search', id: 'user-search', value: search, placeholder: 'id, email, identity or provider' });
    var tools = h('form', { 'class': 'toolbar', onsubmit: function (ev) {
      ev.preventDefault();
      location.hash = '#/app/' + enc(appId) + '/users?search=' + enc(input.value);
    } }, h('label', { 'for': 'user-search' }, 'Search users', input), h('button', { type: 'submit' }, 'Search'));
    var base = G + '/' + enc(appId) + '/users/';
    function reload() { route(); }
    api('GET', G + '/' + enc(appId) + '/users?limit=25' + (search ? '&search=' + enc(search) : '') + (after ? '&after=' + enc(after) : ''))
      .then(function (list) {
        var t = table([
          { title: 'User', cls: 'hide-narrow', cell: function (u) { return h('span', { 'class': 'mono' }, u._id); } },
          { title: 'Email / identity', cell: function (u) {
            return (u.data && u.data.email) || (u.identities[0] && u.identities[0].id); } },
          { title: 'Provider', cls: 'hide-narrow', cell: function (u) { return u.identities[0] && u.identities[0].provider_type; } },
          { title: 'Created', cls: 'hide-narrow', cell: function (u) { return fmtTime(u.creation_date); } },
          { title: 'Last login', cls: 'hide-narrow', cell: function (u) { return fmtTime(u.last_authentication_date); } },
          { title: 'Status', cell: function (u) {
            return h('span', { 'class': 'pill ' + (u.disabled ? 'bad' : 'ok'), 'data-user-status': u._id },
              u.disabled ? 'disabled' : 'enabled'); } },
          { title: 'Actions', cls: 'actions', cell: function (u) {
            var id = u._id, p = u.identities[0] ? u.identities[0].provider_type : '';
            return h('span', null,
              u.disabled ?
                h('button', { 'class': 'small ghost', 'data-action': 'enable', 'data-user': id, onclick: function () {
                  act('Enable user', 'Enable user ' + id + '?', function () { return api('PUT', base + id + '/enable'); }, reload);
                } }, 'Enable') :
                h('button', { 'class': 'small ghost danger', 'data-action': 'disable', 'data-user': id, onclick: function () {
                  act('Disable user', 'Disable user ' + id + '? Its logins are refused and its sync connections closed.',
                    function () { return api('PUT', base + id + '/disable'); }, reload);
                } }, 'Disable'),
              h('button', { 'class': 'small ghost', 'data-action': 'logout', 'data-user': id, onclick: function () {
                act('Revoke sessions', 'Revoke every session of ' + id + '? Its devices must log in again.',
                  function () { return api('PUT', base + id + '/logout'); }, reload);
              } }, 'Revoke sessions'),
              p === 'local-userpass' ? h('button', { 'class': 'small ghost', 'data-action': 'password', 'data-user': id, onclick: function () {
                act('Reset password', 'Set a new password for ' + ((u.data && u.data.email) || id) + '.',
                  function (pw) { return api('PUT', base + id + '/password', { password: pw }); }, reload, true);
              } }, 'Reset password') : null,
              h('button', { 'class': 'small ghost danger', 'data-action': 'delete', 'data-user': id, onclick: function () {
                act('Delete user', 'Delete user ' + id + ' for good? This cannot be undone.',
                  function () { return api('DELETE', base + id); }, reload);
              } }, 'Delete'));
          } }
        ], list, search ? 'No user matches \u201c' + search + '\u201d.' : 'No users yet.');
        var pager = h('div', { 'class': 'pager' },
          after ? h('a', { href: '#/app/' + enc(appId) + '/users' + (search ? '?search=' + enc(search) : '') }, '\u2190 First page') : h('span'),
          list.length === 25 ? h('a', { href: '#/app/' + enc(appId) + '/users?after=' + enc(list[list.length - 1]._id) +
            (search ? '&search=' + enc(search) : '') }, 'Next page \u2192') : h('span'));
        setView(tabs(appId, 'users'), h('h1', null, 'Users'), tools, t, pager);
      }).catch(failed);
  }

  function devices(appId) {
    api('GET', G + '/' + enc(appId) + '/sync/connections').then(function (list) {
      var t = table([
        { title: 'Connection', cell: function (c) { return h('span', { 'class': 'mono' }, String(c.id)); } },
        { title: 'User', cell: function (c) { return h('span', { 'class': 'mono' }, c.user_id || '\u2013'); } },
        { title: 'SDK', cls: 'hide-narrow', cell: function (c) { return (c.sdk || '?') + (c.core_version ? ' (core ' + c.core_version + ')' : ''); } },
        { title: 'Address', cls: 'hide-narrow', cell: function (c) { return c.remote_address; } },
        { title: 'Since', cls: 'hide-narrow', cell: function (c) { return fmtTime(c.since); } },
        { title: 'Files', cell: function (c) { return (c.sessions || []).map(function (s) { return s.file; }).join(', ') || 'none'; } },
        { title: 'Actions', cls: 'actions', cell: function (c) {
          return h('button', { 'class': 'small ghost danger', 'data-action': 'disconnect', onclick: function () {
            act('Disconnect', 'Close connection ' + c.id + '? The client reconnects by itself.',
              function () { return api('DELETE', G + '/' + enc(appId) + '/sync/connections/' + c.id); }, route);
          } }, 'Disconnect'); } }
      ], list, 'No device is connected.');
      setView(tabs(appId, 'devices'), h('h1', null, 'Devices and sessions'), t);
    }).catch(failed);
  }

  function files(appId, params) {
    var prefix = params.prefix || '';
    var input = h('input', { type: 'search', id: 'file-prefix', value: prefix, placeholder: 'pbs/ or flx/' });
    var tools = h('form', { 'class': 'toolbar', onsubmit: function (ev) {
      ev.preventDefault();
      location.hash = '#/app/' + enc(appId) + '/files?prefix=' + enc(input.value);
    } }, h('label', { 'for': 'file-prefix' }, 'Name starts with', input), h('button', { type: 'submit' }, 'Filter'));
    api('GET', G + '/' + enc(appId) + '/sync/files?limit=100' + (prefix ? '&prefix=' + enc(prefix) : '') +
        (params.after ? '&after=' + enc(params.after) : '')).then(function (list) {
      var t = table([
        { title: 'Server file', cell: function (f) {
          return h('a', { 'class': 'mono', href: '#/app/' + enc(appId) + '/data?file=' + enc(f.name) }, f.name); } },
        { title: 'Mode', cls: 'hide-narrow', cell: function (f) { return f.mode; } },
        { title: 'Version', cls: 'num', cell: function (f) { return fmtNum(f.version); } },
        { title: 'Size', cls: 'num hide-narrow', cell: function (f) { return fmtBytes(f.size); } },
        { title: 'Clients', cls: 'num', cell: function (f) { return fmtNum(f.clients); } },
        { title: 'Connected', cls: 'num hide-narrow', cell: function (f) { return fmtNum(f.connected); } },
        { title: 'Last write', cls: 'hide-narrow', cell: function (f) { return fmtTime(f.last_write); } },
        { title: 'Actions', cls: 'actions', cell: function (f) {
          var reset = h('button', { 'class': 'small ghost danger', 'data-action': 'client-reset', onclick: function () {
            act('Force client reset', 'Make every client of ' + f.name + ' discard its local copy and download the ' +
              'server\u2019s (unsynced local changes are recovered by the SDK\u2019s client-reset handling)?',
              function () { return api('POST', G + '/' + enc(appId) + '/sync/client_reset', { file: f.name }); }, route);
          } }, 'Force client reset');
          if (f.mode !== 'pbs') { return reset; }
          return h('span', null, reset, ' ', h('button', { 'class': 'small danger', 'data-action': 'delete-file',
            'data-file': f.name, onclick: function () {
              act('Delete partition', 'Delete every object and the history of ' + f.name + '? Its clients get a ' +
                'client reset and start again from the empty partition (its schema is kept). This cannot be undone.',
                function () { return api('DELETE', G + '/' + enc(appId) + '/sync/files?file=' + enc(f.name)); }, route);
            } }, 'Delete')); } }
      ], list, prefix ? 'No server file starts with \u201c' + prefix + '\u201d.' : 'No server files yet.');
      var pager = h('div', { 'class': 'pager' }, h('span'), list.length === 100 ? h('a', { href: '#/app/' + enc(appId) +
        '/files?after=' + enc(list[list.length - 1].name) + (prefix ? '&prefix=' + enc(prefix) : '') }, 'Next page \u2192') : h('span'));
      setView(tabs(appId, 'files'), h('h1', null, 'Server files'), tools, t, pager);
    }).catch(failed);
  }

  function errors(appId) {
    api('GET', G + '/' + enc(appId) + '/sync/errors?limit=100').then(function (e) {
      var codes = Object.keys(e.by_code).map(function (c) { return { code: c, count: e.by_code[c] }; });
      var names = {};
      e.recent.forEach(function (r) { names[r.code] = r.name; });
      setView(tabs(appId, 'errors'), h('h1', null, 'Sync errors'),
        h('p', { 'class': 'muted' }, fmtNum(e.total) + ' errors sent to this app\u2019s clients since the start.'),
        h('h2', null, 'By code'),
        table([{ title: 'Code', cell: function (c) { return c.code; } },
          { title: 'Name', cell: function (c) { return names[c.code] || ''; } },
          { title: 'Count', cls: 'num', cell: function (c) { return fmtNum(c.count); } }], codes, 'No errors sent.'),
        h('h2', null, 'Most recent'),
        table([{ title: 'Time', cell: function (r) { return fmtTime(r.time); } },
          { title: 'Code', cell: function (r) { return r.code + ' ' + (r.name || ''); } },
          { title: 'Message', cell: function (r) { return r.message; } },
          { title: 'User', cls: 'hide-narrow', cell: function (r) { return r.user_id; } },
          { title: 'File', cls: 'hide-narrow', cell: function (r) { return r.file; } }], e.recent, 'No errors sent.'));
    }).catch(failed);
  }

  function config(appId) {
    api('GET', BASE + '/config').then(function (c) {
      setView(tabs(appId, 'config'), h('h1', null, 'Configuration'),
        h('p', { 'class': 'muted' }, 'The running configuration under the file keys; secrets are masked.'),
        h('pre', { 'class': 'config', id: 'config' }, JSON.stringify(c, null, 2)));
    }).catch(failed);
  }

  function data(appId, params) {
    var file = params.file || '';
    var cls = params['class'] || '';
    var query = params.query || '';
    var offset = parseInt(params.offset || '0', 10) || 0;
    var fileInput = h('input', { id: 'data-file', value: file, list: 'data-files', placeholder: 'a server file, e.g. flx/' + appId });
    var list = h('datalist', { id: 'data-files' });
    api('GET', G + '/' + enc(appId) + '/sync/files?limit=200').then(function (fs) {
      fs.forEach(function (f) { list.appendChild(h('option', { value: f.name })); });
    }).catch(failed);
    function go(f, c, q, o) {
      location.hash = '#/app/' + enc(appId) + '/data?file=' + enc(f) + (c ? '&class=' + enc(c) : '') +
        (q ? '&query=' + enc(q) : '') + (o ? '&offset=' + o : '');
    }
    var fileForm = h('form', { 'class': 'toolbar', onsubmit: function (ev) { ev.preventDefault(); go(fileInput.value); } },
      h('label', { 'for': 'data-file' }, 'Server file', fileInput), list, h('button', { type: 'submit' }, 'Open'));
    var head = [tabs(appId, 'data'), h('h1', null, 'Data browser'), fileForm];
    if (!file) {
      setView.apply(null, head.concat([emptyState('Pick a server file to see its classes and objects.')]));
      return;
    }
    var path = G + '/' + enc(appId) + '/console/data?file=' + enc(file);
    api('GET', path).then(function (d) {
      var side = h('ul', { 'class': 'classes', id: 'classes' });
      d.classes.forEach(function (c) {
        side.appendChild(h('li', null, h('a', { href: '#', 'aria-current': c.name === cls ? 'true' : 'false', onclick: function (ev) {
          ev.preventDefault(); go(file, c.name);
        } }, h('span', null, c.name), h('span', { 'class': 'muted' }, fmtNum(c.count)))));
      });
      if (!d.classes.length) { side = emptyState('This server file has no classes yet.'); }
      var right = h('div', { id: 'objects' });
      var split = h('div', { 'class': 'split' }, side, right);
      setView.apply(null, head.concat([split]));
      if (!cls) { right.appendChild(emptyState('Pick a class.')); return; }
      var q = h('input', { id: 'data-query', value: query, placeholder: 'e.g. status == "open" AND priority > 2' });
      right.appendChild(h('form', { 'class': 'toolbar', id: 'query-form', onsubmit: function (ev) {
        ev.preventDefault(); go(file, cls, q.value);
      } }, h('label', { 'for': 'data-query' }, 'Query (RQL, as in a subscription)', q), h('button', { type: 'submit', id: 'query-run' }, 'Run')));
      var result = h('div', { id: 'query-result' });
      right.appendChild(result);
      api('GET', path + '&class=' + enc(cls) + '&offset=' + offset + '&limit=50' + (query ? '&query=' + enc(query) : ''))
        .then(function (o) {
          var cols = o['class'].columns.map(function (c) { return c.name; });
          var pk = o['class'].primary_key ? o['class'].primary_key.field : null;
          if (pk) { cols = [pk].concat(cols.filter(function (c) { return c !== pk; })); }
          result.appendChild(h('p', { 'class': 'muted', id: 'query-total', 'data-total': String(o.total) },
            o.total + ' object' + (o.total === 1 ? '' : 's') + ' match'));
          result.appendChild(table(cols.map(function (c) {
            return { title: c, cell: function (obj) {
              var v = obj[c];
              return v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
            } };
          }), o.objects, 'No object matches.'));
          result.appendChild(h('div', { 'class': 'pager' },
            offset > 0 ? h('a', { href: '#', onclick: function (ev) { ev.preventDefault(); go(file, cls, query, Math.max(0, offset - 50)); } }, '\u2190 Previous') : h('span'),
            offset + 50 < o.total ? h('a', { href: '#', onclick: function (ev) { ev.preventDefault(); go(file, cls, query, offset + 50); } }, 'Next \u2192') : h('span')));
        }).catch(function (e) {
          result.appendChild(h('div', { 'class': 'banner', role: 'alert', id: 'query-error' }, e.message || String(e)));
        });
    }).catch(failed);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // routing

  function parseParams(q) {
    var out = {};
    (q || '').split('&').forEach(function (kv) {
      if (!kv) { return; }
      var i = kv.indexOf('=');
      var k = i < 0 ? kv : kv.substring(0, i), v = i < 0 ? '' : kv.substring(i + 1);
      out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' '));
    });
    return out;
  }

  function route() {
    if (timer) { clearInterval(timer); timer = null; }
    view.removeAttribute('data-ready');
    var hash = location.hash.replace(/^#/, '') || '/apps';
    var qi = hash.indexOf('?');
    var params = parseParams(qi < 0 ? '' : hash.substring(qi + 1));
    var parts = (qi < 0 ? hash : hash.substring(0, qi)).split('/').filter(Boolean).map(decodeURIComponent);
    if (!token() || parts[0] === 'login') { if (parts[0] !== 'login') { location.hash = '#/login'; return; } login(); return; }
    logoutButton.hidden = false;
    if (parts[0] === 'app' && parts[1]) {
      var appId = parts[1];
      switch (parts[2] || 'dashboard') {
        case 'users': users(appId, params); return;
        case 'devices': devices(appId); return;
        case 'files': files(appId, params); return;
        case 'errors': errors(appId); return;
        case 'config': config(appId); return;
        case 'data': data(appId, params); return;
        default: dashboard(appId); return;
      }
    }
    apps();
  }

  logoutButton.addEventListener('click', function () {
    var refresh = sessionStorage.getItem('outpost.refresh');
    if (refresh) { fetch(BASE + '/auth/session', { method: 'DELETE', headers: { 'Authorization': 'Bearer ' + refresh } }); }
    sessionStorage.clear();
    clearBanner();
    location.hash = '#/login';
  });
  window.addEventListener('hashchange', function () { clearBanner(); route(); });
  route();
})();
