/* Singly linked list workout: push, sorted insert, reverse, merge sort,
 * duplicate removal, filtering and list merging, with a node free-list. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define NUM_VALUES 60000
#define SORTED_INSERTS 1500
#define PASSES 8

typedef struct Node {
    uint32_t value;
    struct Node *next;
} Node;

static Node *free_list;
static uint32_t rng = 0xdeadbeefu;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static Node *node_new(uint32_t v)
{
    Node *n;
    if (free_list) {
        n = free_list;
        free_list = n->next;
    } else {
        n = malloc(sizeof(Node));
        if (!n)
            exit(1);
    }
    n->value = v;
    n->next = NULL;
    return n;
}

static void node_release(Node *n)
{
    n->next = free_list;
    free_list = n;
}

static Node *push_front(Node *head, uint32_t v)
{
    Node *n = node_new(v);
    n->next = head;
    return n;
}

static Node *insert_sorted(Node *head, uint32_t v)
{
    Node **pp = &head;
    while (*pp && (*pp)->value < v)
        pp = &(*pp)->next;
    Node *n = node_new(v);
    n->next = *pp;
    *pp = n;
    return head;
}

static Node *reverse(Node *head)
{
    Node *prev = NULL;
    while (head) {
        Node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static Node *merge(Node *a, Node *b)
{
    Node dummy;
    Node *tail = &dummy;
    dummy.next = NULL;
    while (a && b) {
        if (a->value <= b->value) {
            tail->next = a;
            a = a->next;
        } else {
            tail->next = b;
            b = b->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return dummy.next;
}

static Node *merge_sort(Node *head)
{
    if (!head || !head->next)
        return head;
    Node *slow = head, *fast = head->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    Node *second = slow->next;
    slow->next = NULL;
    return merge(merge_sort(head), merge_sort(second));
}

static size_t remove_duplicates_sorted(Node *head)
{
    size_t removed = 0;
    while (head && head->next) {
        if (head->next->value == head->value) {
            Node *dup = head->next;
            head->next = dup->next;
            node_release(dup);
            removed++;
        } else {
            head = head->next;
        }
    }
    return removed;
}

static Node *filter_out(Node *head, uint32_t modulus, size_t *removed)
{
    Node **pp = &head;
    while (*pp) {
        if ((*pp)->value % modulus == 0) {
            Node *dead = *pp;
            *pp = dead->next;
            node_release(dead);
            (*removed)++;
        } else {
            pp = &(*pp)->next;
        }
    }
    return head;
}

static uint64_t list_hash(const Node *head, size_t *len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t n = 0;
    for (; head; head = head->next, n++)
        h = (h ^ head->value) * 0x100000001b3ULL;
    *len = n;
    return h;
}

static int is_sorted(const Node *head)
{
    for (; head && head->next; head = head->next)
        if (head->value > head->next->value)
            return 0;
    return 1;
}

static void free_all(Node *head)
{
    while (head) {
        Node *n = head->next;
        node_release(head);
        head = n;
    }
}

int main(void)
{
    uint64_t total = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        Node *list = NULL;
        for (int i = 0; i < NUM_VALUES; i++)
            list = push_front(list, rnd() % 50000u);
        list = reverse(list);
        list = merge_sort(list);
        int sorted = is_sorted(list);
        size_t dups = remove_duplicates_sorted(list);
        size_t filtered = 0;
        list = filter_out(list, 7u + (uint32_t)pass, &filtered);
        Node *small = NULL;
        for (int i = 0; i < SORTED_INSERTS; i++)
            small = insert_sorted(small, rnd() % 100000u);
        list = merge(list, small);
        size_t len = 0;
        uint64_t h = list_hash(list, &len);
        printf("pass %d: sorted=%d dups=%zu filtered=%zu len=%zu ordered=%d\n",
               pass, sorted, dups, filtered, len, is_sorted(list));
        total = (total ^ h) * 0x9e3779b97f4a7c15ULL + len;
        free_all(list);
    }
    while (free_list) {
        Node *n = free_list->next;
        free(free_list);
        free_list = n;
    }
    printf("checksum: %llu\n", (unsigned long long)total);
    return 0;
}
