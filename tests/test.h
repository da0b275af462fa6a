#ifndef TESTS_TEST_H
#define TESTS_TEST_H
/*
** The unit-test harness: each case is a function run by RUN(); each prints one TAP-style line,
** "ok - name" or "not ok - name" (with "# SKIP why" when skipped), which tests/run.sh counts.
** A failed CHECK prints where and why and fails the case; the case goes on.
*/

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_case_failed;	/* checks failed in the running case */
static int test_cases_failed;	/* cases failed so far */
static const char *test_skip_why;	/* set by SKIP() */

#define CHECK(c) do { if (!(c)) { \
	printf("#   %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
	test_case_failed++; } } while (0)

#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { printf("#   %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
	#a, #b, a_, b_); test_case_failed++; } } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { printf("#   %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
	__FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	test_case_failed++; } } while (0)

/* Fails the case with a printf-style note (for loops that check many values). */
#define FAIL(...) do { printf("#   %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); \
	printf("\n"); test_case_failed++; } while (0)

/* Ends the case as skipped, saying why. */
#define SKIP(why) do { test_skip_why = (why); return; } while (0)

static void
test_run(void (*fn)(void), const char *name)
{
	test_case_failed = 0;
	test_skip_why = NULL;
	fn();
	if (test_skip_why) {
		printf("ok - %s # SKIP %s\n", name, test_skip_why);
	} else if (test_case_failed) {
		printf("not ok - %s\n", name);
		test_cases_failed++;
	} else {
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) test_run(fn, #fn)

#define TEST_DONE() (test_cases_failed ? 1 : 0)

/*---- A scratch directory for fixtures ----*/

static char test_dir[64];	/* set by test_dir_make */

/* Makes a fresh /tmp/baton-NAME-XXXXXX for this binary's files. On failure prints a "not ok"
** line and returns -1 (the binary should then exit 1). */
static inline int
test_dir_make(const char *name)
{
	snprintf(test_dir, sizeof test_dir, "/tmp/baton-%s-XXXXXX", name);
	if (mkdtemp(test_dir))
		return 0;
	printf("not ok - mkdtemp %s: %s\n", test_dir, strerror(errno));
	return -1;
}

/* Removes the scratch directory and its files, unless a case failed: then they stay, to look
** at, and a line says where. */
static inline void
test_dir_done(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	if (test_cases_failed) {
		printf("# fixtures kept in %s\n", test_dir);
		return;
	}
	dir = opendir(test_dir);
	if (!dir)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", test_dir, d->d_name);
		unlink(path);
	}
	closedir(dir);
	if (rmdir(test_dir) < 0)
		printf("# leftover files in %s\n", test_dir);
}

#endif
