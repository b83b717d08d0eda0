/** WeCom's lifetimes, in simulated seconds. */
export const Lifetime = {
  suiteToken: 7200,
  corpToken: 7200,
  providerToken: 7200,
  jsapiTicket: 7200,
  agentTicket: 7200,
  preAuthCode: 1200,
  authCode: 600,
  suiteTicketValidity: 1800,
  oauthCode: 300,
  userTicket: 1800,
  loginAuthCode: 600,
} as const;
