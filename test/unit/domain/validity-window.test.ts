import { validityWindow } from '../../../shared/domain/validity-window';

describe('validityWindow', () => {
  it('back-dates ten minutes and runs whole calendar months, as Key Vault does', () => {
    // Recorded on the real service: created 1658442915, nbf 1658442315, exp 1689978915 for 12 months.
    const { notBefore, notAfter } = validityWindow(new Date(1658442915 * 1000), 12);
    expect(notBefore.getTime() / 1000).toBe(1658442315);
    expect(notAfter.getTime() / 1000).toBe(1689978915);
  });
});
