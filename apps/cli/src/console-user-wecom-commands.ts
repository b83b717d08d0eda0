import { Command, InvalidArgumentError } from 'commander';
import type { CliConfig } from '@app/config';
import { ConsoleUserRepository, WecomIdentityLinkedError } from '@app/store';
import { CliError, withStore } from './cli.js';

type Out = (line: string) => void;

const USERID = /^[A-Za-z0-9_@.-]{1,64}$/;
const CORP_ID = /^[A-Za-z0-9_-]{1,64}$/;

function matching(re: RegExp, what: string) {
  return (value: string): string => {
    if (!re.test(value)) throw new InvalidArgumentError(what);
    return value;
  };
}

/**
 * `console-user link-wecom` / `unlink-wecom`: which WeCom member (corpid + userid, as get_login_info names them) may
 * sign in to the console as a user with WeCom (扫码登录). Only an admin links; a scan never creates or links anyone.
 */
export function addConsoleUserWecomCommands(user: Command, config: () => CliConfig, out: Out): void {
  user
    .command('link-wecom')
    .description('let a WeCom member sign in as this console user with WeCom (扫码登录); replaces an earlier link')
    .requiredOption('--username <name>', 'the console user')
    .requiredOption('--userid <userid>', "the member's userid in the corp (WeCom 通讯录)", matching(USERID, '1-64 characters [A-Za-z0-9_@.-]'))
    .option('--corpid <corpid>', 'the corp (default: CONSOLE_WECOM_LOGIN_PROVIDER_CORPID)', matching(CORP_ID, '1-64 characters [A-Za-z0-9_-]'))
    .action(async (o: { username: string; userid: string; corpid?: string }) => {
      const settings = config();
      const corpId = o.corpid ?? settings.CONSOLE_WECOM_LOGIN_PROVIDER_CORPID;
      if (!corpId) throw new CliError('--corpid is required: CONSOLE_WECOM_LOGIN_PROVIDER_CORPID is not set');
      const linked = await withStore(settings, async ({ prisma }) => {
        const users = new ConsoleUserRepository(prisma);
        const found = await users.findByUsername(o.username);
        if (!found) throw new CliError(`no console user ${o.username.toLowerCase()}`);
        return users.linkWecom(found.id, corpId, o.userid).catch((err: unknown) => {
          if (err instanceof WecomIdentityLinkedError) throw new CliError(`WeCom user ${o.userid} of corp ${corpId} is already linked to another console user`);
          throw err;
        });
      });
      out(`linked console user ${linked!.username} to WeCom user ${o.userid} of corp ${corpId}\n`);
    });
  user
    .command('unlink-wecom')
    .description('remove the WeCom link of a console user (ends the sessions opened with WeCom)')
    .requiredOption('--username <name>', 'the console user')
    .action(async (o: { username: string }) => {
      const unlinked = await withStore(config(), async ({ prisma }) => {
        const users = new ConsoleUserRepository(prisma);
        const found = await users.findByUsername(o.username);
        if (!found) throw new CliError(`no console user ${o.username.toLowerCase()}`);
        return users.unlinkWecom(found.id);
      });
      out(`unlinked console user ${unlinked!.username} from WeCom\n`);
    });
}
