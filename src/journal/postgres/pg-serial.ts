/**
 * One connection, one query at a time, in the order asked: node-postgres must not be given a
 * second query while one runs, and a transaction must not let another caller's query in.
 */
import type pg from 'pg';

/** A pg client whose queries queue up; `exclusive` runs several with nothing in between. */
export class SerialClient {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly client: pg.Client) {}

  /** Runs one query after every query asked for before it. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.exclusive(() => this.client.query<R>(sql, params));
  }

  /** Runs `work` (which uses `this.client` directly) with the connection to itself. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` in a transaction, with the connection to itself. */
  transaction<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.client.query('BEGIN');
      try {
        const result = await work(this.client);
        await this.client.query('COMMIT');
        return result;
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  end(): Promise<void> {
    return this.client.end();
  }
}
