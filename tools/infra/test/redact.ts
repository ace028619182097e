import t from 'tap'
import { isPlaceholder, redactText, scanForSecrets, secretByName, stripUrlCredentials } from '@clara/shared/redact'

const SK = 'sk-PLANTEDopenai0123456789abcdefXYZ'
const AKIA = 'AKIAPLANTED012345678'
const AWS_SECRET = 'PLANTEDawsSecret/0123456789abcdefghijklm'
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCPLANTEDpem'

const kinds: [string, string, string][] = [
  ['sk- token in prose', `the key was ${SK} yesterday`, SK],
  ['raw PEM block', `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\nabc=\n-----END PRIVATE KEY-----\n`, PEM_BODY],
  ['JSON-escaped PEM', `{"private_key": "-----BEGIN RSA PRIVATE KEY-----\\n${PEM_BODY}\\n-----END RSA PRIVATE KEY-----\\n"}`, PEM_BODY],
  ['unterminated PEM', `-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}\n`, PEM_BODY],
  ['AWS key id', `aws_access_key_id=${AKIA}`, AKIA],
  ['AWS secret in prose', `aws secret access key: ${AWS_SECRET}`, AWS_SECRET],
  ['URL password', 'DATABASE_URL=postgres://clara:PLANTEDpw99@localhost:5432/clara', 'PLANTEDpw99'],
  ['export line', "export DJANGO_SECRET_KEY='PLANTED django key'", 'PLANTED django key'],
  ['TOKEN-named var', 'MY_SERVICE_TOKEN=PLANTEDtok', 'PLANTEDtok'],
  ['PASSWORD-named, spaced', 'smtp_password = PLANTED pass phrase', 'PLANTED pass phrase'],
  ['python dict', "'PASSWORD': 'PLANTEDpy',", 'PLANTEDpy'],
  ['JSON key', '{"api_key": "PLANTEDjson"}', 'PLANTEDjson'],
  ['escaped JSON key', '"{\\"client_secret\\": \\"PLANTEDesc\\"}"', 'PLANTEDesc'],
  ['systemd quoted', 'Environment="API_TOKEN=PLANTED with spaces" "B=1"', 'PLANTED with spaces'],
  ['systemd bare', 'Environment=DJANGO_SECRET_KEY=PLANTEDunit', 'PLANTEDunit'],
  ['authorization header', 'proxy_set_header Authorization "Bearer PLANTEDbearer";', 'PLANTEDbearer'],
  ['cron PGPASSWORD', '0 3 * * * PGPASSWORD=PLANTEDcron pg_dump clara', 'PLANTEDcron'],
  ['CLI --password=', 'mysqldump --password=PLANTEDcli db', 'PLANTEDcli'],
  ['Google API key', 'GEMINI=AIzaPLANTED0123456789abcdefghijklmnopqrs', 'AIzaPLANTED0123456789abcdefghijklmnopqrs'],
  ['GitHub token', 'see ghp_PLANTED0123456789abcdefghijklmnopqrst', 'ghp_PLANTED0123456789abcdefghijklmnopqrst'],
]

t.test('every kind is found by the scanner and removed by the redactor', async (t) => {
  for (const [what, text, secret] of kinds) {
    t.ok(scanForSecrets(text).length > 0, `${what}: found`)
    const r = redactText(text)
    t.notOk(r.text.includes(secret), `${what}: removed`)
    t.ok(r.count >= 1, `${what}: counted`)
    t.same(scanForSecrets(r.text), [], `${what}: redacted text scans clean`)
    t.equal(redactText(r.text).count, 0, `${what}: idempotent`)
  }
})

t.test('findings never carry the secret', async (t) => {
  const text = kinds.map((k) => k[1]).join('\n')
  const findings = scanForSecrets(Buffer.from(text), { planted: ['PLANTEDtok'] })
  const dump = JSON.stringify(findings)
  for (const [, , secret] of kinds) t.notOk(dump.includes(secret))
  t.ok(findings.some((f) => f.kind === 'planted'))
  t.ok(findings.some((f) => f.kind === 'pem-private-key'))
  t.ok(findings.some((f) => f.kind === 'aws-access-key-id'))
  t.ok(findings.some((f) => f.kind === 'url-password'))
  const tok = findings.find((f) => f.name === 'MY_SERVICE_TOKEN')!
  t.equal(tok.kind, 'assignment')
  t.equal(tok.line, text.split('\n').findIndex((l) => l.startsWith('MY_SERVICE_TOKEN')) + 1)
  t.equal(tok.column, 'MY_SERVICE_TOKEN='.length + 1)
})

t.test('placeholders and ordinary config are not findings', async (t) => {
  const clean = [
    'DJANGO_SECRET_KEY=<redacted>',
    "export OPENAI_API_KEY='<redacted>'",
    'DATABASE_URL=postgres://clara:***@localhost:5432/clara',
    'AWS_SECRET_ACCESS_KEY=',
    'GITHUB_TOKEN=$GITHUB_TOKEN',
    'export API_KEY="${API_KEY}"',
    'MAX_TOKENS=4096',
    'USE_SECRET=false',
    "SECRET_KEY = os.getenv('DJANGO_SECRET_KEY', 'fallback')",
    'proxy_pass http://unix:/home/stm-admmxr/C-LARA/gunicorn.sock;',
    'ssl_certificate_key /etc/ssl/private/clara.key;',
    'remote.origin.url: https://example.invalid/x.git',
    'if a == b: x = 1',
    '"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",',
    '"redactions": 3,',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    'ExecStart=/home/stm-admmxr/clara-env/bin/gunicorn --workers 3 --bind unix:/home/stm-admmxr/C-LARA/gunicorn.sock clara_project.wsgi:application',
    'the task-runner-with-a-very-long-name is fine',
  ].join('\n')
  t.same(scanForSecrets(clean), [])
  t.equal(redactText(clean).count, 0)
  t.equal(redactText(clean).text, clean)
})

t.test('name rules: secret list, keep list, exports', async (t) => {
  const text = ['export CLARA=/srv/clara', 'export S3_BUCKET_NAME=bucket', 'export LANGUAGE=en', 'export GOOGLE_CREDENTIALS_JSON=x1'].join('\n')
  t.equal(redactText(text).text, text, 'default rules: none of these is secret by name')
  const collect = new Set<string>()
  const r = redactText(text, { secretNames: ['google_credentials_json', 'S3_BUCKET_NAME'], keepNames: ['CLARA'], redactExports: true, collect })
  t.equal(r.text, ['export CLARA=/srv/clara', 'export S3_BUCKET_NAME=<redacted>', 'export LANGUAGE=<redacted>', 'export GOOGLE_CREDENTIALS_JSON=<redacted>'].join('\n'))
  t.same([...collect].sort(), ['bucket', 'en', 'x1'])
  t.ok(secretByName('OPENAI_API_KEY'))
  t.notOk(secretByName('CLARA', { redactExports: true, keepNames: ['CLARA'] }, true))
  t.ok(secretByName('FOO', { redactExports: true }, true))
  t.notOk(secretByName('FOO', { redactExports: true }, false))
})

t.test('URL credentials', async (t) => {
  t.equal(stripUrlCredentials('https://user:PLANTEDTOKEN@example.invalid/x.git'), 'https://example.invalid/x.git')
  t.equal(stripUrlCredentials('https://PLANTEDtoken@github.com/o/r.git'), 'https://github.com/o/r.git')
  t.equal(stripUrlCredentials('ssh://git:pw@host/x.git'), 'ssh://git@host/x.git')
  t.equal(stripUrlCredentials('git@github.com:o/r.git'), 'git@github.com:o/r.git')
  t.equal(stripUrlCredentials('/srv/git/r.git'), '/srv/git/r.git')
  t.equal(redactText('postgres://u:p@ss@h/db').text, 'postgres://u:***@h/db', 'an unescaped @ in the password')
})

t.test('isPlaceholder', async (t) => {
  for (const v of ['', '<redacted>', '<your key here>', '***', 'xxxx', '$VAR', '${VAR}', 'None', 'false', '42']) t.ok(isPlaceholder(v), v)
  for (const v of ['hunter2', 'sk-abc', 'PLANTED', '123456789', '<a><b>']) t.notOk(isPlaceholder(v), v)
})
