/*
 * The pod sandbox's PID 1, like Kubernetes' build/pause/linux/pause.c: it holds the pod's namespaces,
 * exits on SIGINT/SIGTERM and reaps the zombies of processes that other containers leave behind.
 * Built here (gcc -static) so that no node ever pulls registry.k8s.io/pause.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int signo) { _exit(2 + signo); }

static void sigreap(int signo) {
    (void)signo;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(void) {
    if (getpid() != 1) {
        fprintf(stderr, "pause: warning: not running as PID 1\n");
    }
    struct sigaction down = {.sa_handler = sigdown};
    struct sigaction reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};
    if (sigaction(SIGINT, &down, NULL) < 0 || sigaction(SIGTERM, &down, NULL) < 0
        || sigaction(SIGCHLD, &reap, NULL) < 0) {
        perror("pause: sigaction");
        return 1;
    }
    for (;;) {
        pause();
    }
}
