// Reads what the SMTP sink received.
import { readFileSync, existsSync } from 'node:fs';

export interface Mail { to: string[]; subject: string; body: string }

function received(): Mail[] {
  const file = process.env.E2E_MAIL_FILE!;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Waits for a message to `address` whose subject contains `subject`, and returns the link in it to `path`. */
export async function linkFromMail(address: string, subject: string, path: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const mail = received().reverse().find((m) => m.to.includes(address) && m.subject.includes(subject));
    if (mail) {
      const match = mail.body.match(new RegExp(`https?://\\S+${path.replace('?', '\\?')}\\S+`));
      if (!match) throw new Error(`no ${path} link in: ${mail.body}`);
      return match[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail "${subject}" to ${address}`);
}
