import { useDnsChallengeResponderForTests } from '../../shared/composition';
import { ChallTestSrv } from './challtestsrv';
import { ChallTestSrvDnsChallenge } from './challtestsrv-dns-challenge';

/**
 * A preload for a host process (host-process.ts `preload`): answers DNS-01 in Pebble's challenge test server,
 * as acme-dns01.sdk.test.ts does in-process, at the addresses the parent passes in CHALLTESTSRV_MANAGEMENT_URL
 * and CHALLTESTSRV_DNS_SERVER (RunningPebble.dns). The responder keeps no state of its own, so a restarted host
 * withdraws what the killed one published.
 */
const managementUrl = process.env.CHALLTESTSRV_MANAGEMENT_URL;
const dnsServer = process.env.CHALLTESTSRV_DNS_SERVER;
if (!managementUrl || !dnsServer) throw new Error('challtestsrv-dns-preload needs CHALLTESTSRV_MANAGEMENT_URL and CHALLTESTSRV_DNS_SERVER');
useDnsChallengeResponderForTests(new ChallTestSrvDnsChallenge(new ChallTestSrv(managementUrl, dnsServer)));

export {};
