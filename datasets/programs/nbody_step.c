/* N-body gravitational simulation with a leapfrog (kick-drift-kick)
 * integrator; energy and momentum are tracked and folded into a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>

#define NBODIES 64
#define STEPS 5000
#define DT 0.001
#define SOFTENING 0.2

typedef struct {
    double x, y, z;
    double vx, vy, vz;
    double ax, ay, az;
    double mass;
} Body;

static uint64_t lcg_state = 88172645463325252ULL;

static double lcg_uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

static void init_bodies(Body *b, int n)
{
    for (int i = 0; i < n; i++) {
        double r = 0.5 + lcg_uniform();
        double ang = lcg_uniform() * 6.283185307179586;
        b[i].x = r * cos(ang);
        b[i].y = r * sin(ang);
        b[i].z = (lcg_uniform() - 0.5) * 0.2;
        double speed = 0.8 / sqrt(r);
        b[i].vx = -speed * sin(ang);
        b[i].vy = speed * cos(ang);
        b[i].vz = 0.0;
        b[i].mass = 0.5 + lcg_uniform();
    }
}

static void compute_accel(Body *b, int n)
{
    for (int i = 0; i < n; i++)
        b[i].ax = b[i].ay = b[i].az = 0.0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            double dx = b[j].x - b[i].x;
            double dy = b[j].y - b[i].y;
            double dz = b[j].z - b[i].z;
            double d2 = dx * dx + dy * dy + dz * dz + SOFTENING * SOFTENING;
            double inv = 1.0 / (d2 * sqrt(d2));
            double fi = b[j].mass * inv;
            double fj = b[i].mass * inv;
            b[i].ax += dx * fi; b[i].ay += dy * fi; b[i].az += dz * fi;
            b[j].ax -= dx * fj; b[j].ay -= dy * fj; b[j].az -= dz * fj;
        }
    }
}

static void kick(Body *b, int n, double h)
{
    for (int i = 0; i < n; i++) {
        b[i].vx += b[i].ax * h;
        b[i].vy += b[i].ay * h;
        b[i].vz += b[i].az * h;
    }
}

static void drift(Body *b, int n, double h)
{
    for (int i = 0; i < n; i++) {
        b[i].x += b[i].vx * h;
        b[i].y += b[i].vy * h;
        b[i].z += b[i].vz * h;
    }
}

static double energy(const Body *b, int n)
{
    double e = 0.0;
    for (int i = 0; i < n; i++) {
        double v2 = b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz;
        e += 0.5 * b[i].mass * v2;
        for (int j = i + 1; j < n; j++) {
            double dx = b[j].x - b[i].x;
            double dy = b[j].y - b[i].y;
            double dz = b[j].z - b[i].z;
            double d = sqrt(dx * dx + dy * dy + dz * dz + SOFTENING * SOFTENING);
            e -= b[i].mass * b[j].mass / d;
        }
    }
    return e;
}

static void momentum(const Body *b, int n, double *p)
{
    p[0] = p[1] = p[2] = 0.0;
    for (int i = 0; i < n; i++) {
        p[0] += b[i].mass * b[i].vx;
        p[1] += b[i].mass * b[i].vy;
        p[2] += b[i].mass * b[i].vz;
    }
}

static uint64_t fold(uint64_t h, double v, double scale)
{
    int64_t q = (int64_t)llround(v * scale);
    h ^= (uint64_t)q;
    h *= 0x100000001b3ULL;
    return h;
}

int main(void)
{
    Body *bodies = malloc(sizeof(Body) * NBODIES);
    if (!bodies)
        return 1;
    init_bodies(bodies, NBODIES);
    double e0 = energy(bodies, NBODIES);
    compute_accel(bodies, NBODIES);
    for (int s = 0; s < STEPS; s++) {
        kick(bodies, NBODIES, 0.5 * DT);
        drift(bodies, NBODIES, DT);
        compute_accel(bodies, NBODIES);
        kick(bodies, NBODIES, 0.5 * DT);
    }
    double e1 = energy(bodies, NBODIES);
    double p[3];
    momentum(bodies, NBODIES, p);
    printf("energy before: %.6f\n", e0);
    printf("energy after:  %.6f\n", e1);
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fold(h, e0, 1e4);
    h = fold(h, e1, 1e4);
    for (int k = 0; k < 3; k++)
        h = fold(h, p[k], 1e4);
    double cx = 0.0, cy = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        cx += bodies[i].x;
        cy += bodies[i].y;
    }
    h = fold(h, cx, 1e3);
    h = fold(h, cy, 1e3);
    printf("checksum: %llu\n", (unsigned long long)h);
    free(bodies);
    return 0;
}
