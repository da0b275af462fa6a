#ifndef NFS_DPDK_RWLOCK_H
#define NFS_DPDK_RWLOCK_H
/*
** rwlock: the per-core-token readers-writer lock of Maestro's locks mode (maestro.md 3.1).
** Each core has a token on its own cache line and a reader takes only its own, so readers on
** different cores never share a written line and read-mostly traffic scales. A writer takes
** the global writer token, then every core's token, which waits out every reader's current
** critical section. No fairness and no queueing: writes are meant to be rare.
**
** A core holding its reader token must release it before asking for the write lock (else two
** writers would each wait for the other's token). Not for anything but the locks mode workers.
*/

struct rwlock;

/* A lock for cores 0 .. cores-1, all tokens free; NULL when out of memory. */
struct rwlock *rwlock_new(unsigned cores);
/* Frees 'l' (NULL is fine); nobody may hold it. */
void rwlock_free(struct rwlock *l);

/* Takes / releases core 'core's reader token. */
void rwlock_read_lock(struct rwlock *l, unsigned core);
void rwlock_read_unlock(struct rwlock *l, unsigned core);

/* Takes the writer token, then every reader token; the caller holds none. Releases them all. */
void rwlock_write_lock(struct rwlock *l);
void rwlock_write_unlock(struct rwlock *l);

#endif
