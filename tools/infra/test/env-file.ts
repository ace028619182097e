import t from 'tap'
import { parseEnvAssignments, unitEnvironment, unitEnvironmentFiles } from '../src/env-file.js'

t.test('shell and dotenv assignments', async (t) => {
  const text = [
    '# comment A=1',
    'export CLARA=/srv/clara',
    "export DJANGO_SECRET_KEY='a b'",
    'DB_TYPE="postgres"',
    'declare -x TMPDIR=/var/tmp # trailing comment',
    "export GOOGLE_CREDENTIALS_JSON='{\"a\": 1,",
    " \"b\": 2}'",
    'QUOTED="say \\"hi\\""',
    'alias ll="ls -l"',
    '-----BEGIN PRIVATE KEY-----',
    'AAAAB3NzaC1yc2E=',
    '-----END PRIVATE KEY-----',
    'CLARA=/srv/clara2',
  ].join('\n')
  t.same(parseEnvAssignments(text), [
    { name: 'CLARA', value: '/srv/clara' },
    { name: 'DJANGO_SECRET_KEY', value: 'a b' },
    { name: 'DB_TYPE', value: 'postgres' },
    { name: 'TMPDIR', value: '/var/tmp' },
    { name: 'GOOGLE_CREDENTIALS_JSON', value: '{"a": 1,\n "b": 2}' },
    { name: 'QUOTED', value: 'say "hi"' },
    { name: 'CLARA', value: '/srv/clara2' },
  ])
})

t.test('systemd Environment= and EnvironmentFile=', async (t) => {
  const unit = ['[Service]', 'Environment=A=1', 'Environment="B=two words" C=3 \'D=x y\'', 'EnvironmentFile=-/etc/clara/env', 'EnvironmentFile=/etc/clara/more', 'ExecStart=/bin/true'].join('\n')
  t.same(unitEnvironment(unit), [
    { name: 'A', value: '1' },
    { name: 'B', value: 'two words' },
    { name: 'C', value: '3' },
    { name: 'D', value: 'x y' },
  ])
  t.same(unitEnvironmentFiles(unit), ['/etc/clara/env', '/etc/clara/more'])
})
