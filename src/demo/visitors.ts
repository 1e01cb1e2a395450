import type { Random } from "./random.js";
import { COUNTRIES, DEVICES } from "./site.js";

/** A browser seen on the site; device and country never change, `userId` is set at sign-up. */
export interface Visitor {
  readonly id: string;
  readonly device: string;
  readonly country: string;
  userId: string;
  /** Index of the last day with a session (one session per visitor per day). */
  lastDay: number;
  orders: number;
}

/** A signed-up customer who has ordered on the web, with the day of the first order. */
export interface Customer {
  readonly userId: string;
  readonly since: number;
}

/** Everyone seen so far, so that visitors return across days and customers order again. */
export class VisitorPool {
  private readonly all: Visitor[] = [];
  private readonly users: Visitor[] = [];
  private readonly buyers: Visitor[] = [];
  readonly customers: Customer[] = [];
  private signups = 0;

  constructor(private readonly random: Random) {}

  /** A visitor for a session on `day`: a returning one with probability `returning`, else a new one. */
  choose(day: number, returning: number, fromCustomers: number): Visitor {
    if (this.all.length > 0 && this.random.chance(returning)) {
      for (let attempt = 0; attempt < 4; attempt++) {
        const candidate = this.returningCandidate(fromCustomers);
        if (candidate.lastDay !== day) return this.visit(candidate, day);
      }
    }
    return this.visit(this.create(), day);
  }

  /** Gives the visitor a user id (sign-up). */
  signUp(visitor: Visitor): void {
    this.signups++;
    visitor.userId = `u-${String(this.signups).padStart(5, "0")}`;
    this.users.push(visitor);
  }

  /** Records a web order by a signed-up visitor. */
  recordOrder(visitor: Visitor, day: number): void {
    if (visitor.orders === 0) {
      this.buyers.push(visitor);
      this.customers.push({ userId: visitor.userId, since: day });
    }
    visitor.orders++;
  }

  private returningCandidate(fromCustomers: number): Visitor {
    if (this.buyers.length > 0 && this.random.chance(fromCustomers)) return this.random.pick(this.buyers);
    if (this.users.length > 0 && this.random.chance(0.15)) return this.random.pick(this.users);
    // Recent visitors come back more often than old ones.
    const recency = 1 - this.random.next() ** 2;
    return this.all[Math.floor(recency * this.all.length)] ?? this.random.pick(this.all);
  }

  private create(): Visitor {
    const visitor: Visitor = {
      id: `v-${String(this.all.length + 1).padStart(6, "0")}`,
      device: this.random.weighted(DEVICES),
      country: this.random.weighted(COUNTRIES),
      userId: "",
      lastDay: -1,
      orders: 0,
    };
    this.all.push(visitor);
    return visitor;
  }

  private visit(visitor: Visitor, day: number): Visitor {
    visitor.lastDay = day;
    return visitor;
  }
}
