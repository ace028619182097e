/** Where a C-LARA host keeps its server configuration (clara-facts §7; UniSA layout, Debian and RHEL nginx). */

/** nginx sites: Debian's sites-available/-enabled (the enabled link is recorded as an alias) and RHEL's conf.d. */
export const DEFAULT_NGINX = ['/etc/nginx/sites-available/*clara*', '/etc/nginx/sites-enabled/*clara*', '/etc/nginx/conf.d/*clara*']

/** gunicorn and qcluster units (how qcluster is supervised is unknown, so a missing one is only recorded), any *clara* unit, and drop-ins. */
export const DEFAULT_SYSTEMD = [
  '/etc/systemd/system/gunicorn.service',
  '/etc/systemd/system/qcluster.service',
  '/etc/systemd/system/*clara*',
  '/etc/systemd/system/gunicorn.service.d/*.conf',
  '/etc/systemd/system/qcluster.service.d/*.conf',
]

/** A flag value that turns one kind of input off (nothing captured, nothing recorded missing). */
export const NONE = 'none'
