import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerRegion } from '../../src/core/lambda/caller-region';

describe("caller region: the region local functions run in", () => {
  let dir: string;
  let files: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-state-region-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu-west-3\n\n[profile dev]\nregion=eu-north-1\n\n[profile bare]\noutput = json\n');
    writeFileSync(join(dir, 'credentials'), '[keys]\naws_access_key_id = AKIDEXAMPLE\nregion = sa-east-1\n');
    files = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is AWS_REGION, else AWS_DEFAULT_REGION, whatever the profile says', async () => {
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'dev', AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'us-west-2' }), 'ap-south-1');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'us-west-2' }), 'us-west-2');
  });

  it("else the region of the caller's profile (AWS_PROFILE, else default) in the credentials file, else in the config file, as the SDK reads them", async () => {
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'dev' }), 'eu-north-1');
    assert.equal(await callerRegion({ ...files }), 'eu-west-3');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: '', AWS_REGION: '' }), 'eu-west-3', 'empty variables are none');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'keys' }), 'sa-east-1');
  });

  it('else us-east-1: a profile without a region, an unknown profile, no files', async () => {
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'bare' }), 'us-east-1');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'nobody' }), 'us-east-1');
    assert.equal(await callerRegion({ AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') }), 'us-east-1');
  });

  it("reads the files again once they change (the editor runs for days)", async () => {
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'dev' }), 'eu-north-1');
    writeFileSync(join(dir, 'config'), '[profile dev]\nregion = me-south-1\n');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'dev' }), 'me-south-1');
  });

  it('prefers the credentials file when both name a region for the profile, as the SDK does', async () => {
    writeFileSync(join(dir, 'credentials'), '[default]\nregion = sa-east-1\n');
    assert.equal(await callerRegion({ ...files }), 'sa-east-1');
  });

  it('finds the files in HOME/.aws when no variable names them', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'config'), '[profile work]\nregion = ca-central-1\n');
    assert.equal(await callerRegion({ HOME: home, AWS_PROFILE: 'work' }), 'ca-central-1');
  });

  it('ignores a value that is no region name (the SDK would refuse it)', async () => {
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu west 1\n[profile quoted]\nregion = "eu-west-1"\n');
    assert.equal(await callerRegion({ ...files }), 'us-east-1');
    assert.equal(await callerRegion({ ...files, AWS_PROFILE: 'quoted' }), 'us-east-1');
  });

  it('expands a leading ~/ in AWS_CONFIG_FILE, and sees a change of that file', async () => {
    writeFileSync(join(dir, 'tconfig'), '[default]\nregion = ap-south-1\n');
    const env = { HOME: dir, AWS_CONFIG_FILE: '~/tconfig', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    assert.equal(await callerRegion(env), 'ap-south-1');
    writeFileSync(join(dir, 'tconfig'), '[default]\nregion = sa-east-1\n');
    assert.equal(await callerRegion(env), 'sa-east-1');
  });
});
